// vipkeeper's socket addon, stream part: the Unix stream socket calls the daemon's control socket
// needs (listen, accept, connect, read, write, shutdown). With them, and pollReady in sock.c, the
// daemon does not load node's net module, which with its streams and cluster pages in ~1.7 MB of
// node's executable (bench/README.md, "idle daemon", seventh pass). System calls only: the
// buffering and the line protocol are TypeScript (src/net/unix-stream.ts).
#include "sock.h"
#include <unistd.h>

/* listen(fd, backlog) */
HIDDEN napi_value js_listen(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd, backlog;
  addon *a;
  if (!get_args(env, info, 2, argv, &a) || !get_fd(env, a, argv[0], "listen", &fd) || !get_int(env, argv[1], &backlog)) return NULL;
  if (listen(fd, backlog) < 0) return throw_errno(env, "listen", errno);
  return NULL;
}

/* accept(fd) -> a new connection's fd (nonblocking, close-on-exec, this addon's), or -1 when none
   is waiting. ECONNABORTED (the peer gave up while queued) is "none" too: try again on the next
   readiness. */
HIDDEN napi_value js_accept(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd, c;
  addon *a;
  if (!get_args(env, info, 1, argv, &a) || !get_fd(env, a, argv[0], "accept", &fd)) return NULL;
  do c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); while (c < 0 && errno == EINTR);
  if (c < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) return num(env, -1);
    return throw_errno(env, "accept", errno);
  }
  return track_fd(env, a, c, "accept");
}

/* connect(fd, addr) -> 0 connected, 1 not yet: EINPROGRESS, or EAGAIN, which on a Unix socket
   means the listener's backlog is full (someone listens, but is not accepting now). */
HIDDEN napi_value js_connect(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd, r;
  void *addr; size_t len;
  addon *a;
  if (!get_args(env, info, 2, argv, &a) || !get_fd(env, a, argv[0], "connect", &fd) || !get_buf(env, argv[1], &addr, &len, 0)) return NULL;
  do r = connect(fd, addr, (socklen_t)len); while (r < 0 && errno == EINTR);
  if (r == 0) return num(env, 0);
  if (errno == EINPROGRESS || errno == EAGAIN) return num(env, 1);
  return throw_errno(env, "connect", errno);
}

/* read(fd, buf) -> bytes read into buf, 0 at the end of the stream, -1 when nothing is waiting. */
HIDDEN napi_value js_read(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  void *data; size_t len;
  ssize_t n;
  addon *a;
  if (!get_args(env, info, 2, argv, &a) || !get_fd(env, a, argv[0], "read", &fd) || !get_buf(env, argv[1], &data, &len, 0)) return NULL;
  do n = recv(fd, data, len, 0); while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? num(env, -1) : throw_errno(env, "read", errno);
  return num(env, (int)n);
}

/* write(fd, buf, offset) -> bytes of buf[offset..] written, -1 when the socket's buffer is full.
   MSG_NOSIGNAL: a peer that went away is EPIPE here, not a SIGPIPE for the whole daemon. */
HIDDEN napi_value js_write(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd, off;
  void *data; size_t len;
  ssize_t n;
  addon *a;
  if (!get_args(env, info, 3, argv, &a) || !get_fd(env, a, argv[0], "write", &fd) || !get_buf(env, argv[1], &data, &len, 0) ||
      !get_int(env, argv[2], &off)) return NULL;
  if (off < 0 || (size_t)off > len) { napi_throw_range_error(env, "EINVAL", "offset out of range"); return NULL; }
  do n = send(fd, (char *)data + off, len - (size_t)off, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? num(env, -1) : throw_errno(env, "write", errno);
  return num(env, (int)n);
}

/* shutdownWrite(fd): the peer reads the end of the stream after what was written. */
HIDDEN napi_value js_shutdown_write(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  addon *a;
  if (!get_args(env, info, 1, argv, &a) || !get_fd(env, a, argv[0], "shutdown", &fd)) return NULL;
  if (shutdown(fd, SHUT_WR) < 0 && errno != ENOTCONN) return throw_errno(env, "shutdown", errno);
  return NULL;
}
