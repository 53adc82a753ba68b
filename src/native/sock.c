// vipkeeper's socket addon: the socket primitives Node lacks (raw IP, AF_PACKET, AF_NETLINK) or
// loads only with its net module (Unix stream sockets: stream.c).
// Only system calls live here; every protocol and every option buffer is built in TypeScript.
// Errors become JS errors whose `code` is the errno name. Receiving uses uv_poll on the Node loop.
#include "sock.h"
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#define MAX_BATCH 64          /* datagrams per wake-up before yielding to the loop */

/* Batch mode (startReceiveBatch): one recvmmsg per wake-up into caller-owned memory and one JS
   call per batch, so a flood costs one Node callback per up to `max` datagrams, and nothing is
   allocated per datagram. */
typedef struct batch {
  napi_ref refs[3];        /* data, meta, addrs: kept alive while watched */
  unsigned char *data;     /* max slots of `slot` bytes */
  int32_t *meta;           /* BATCH_META ints per datagram */
  unsigned char *addrs;    /* 32 bytes per datagram: source then destination address */
  int max, slot;
  struct mmsghdr *msgs;
  struct iovec *iov;
  struct sockaddr_storage *src;
  char *cbuf;
} batch;

#define BATCH_META 4     /* length (-1: truncated), ttl/hop limit, ifindex, dst length (0, 4, 16) */
#define BATCH_CMSG 128   /* IP_PKTINFO/IPV6_PKTINFO + TTL/HOPLIMIT fit easily */

typedef struct watcher {
  uv_poll_t poll;
  addon *a;
  napi_env env;
  napi_ref cb;
  napi_async_context ctx;
  batch *b;  /* NULL: one callback per datagram */
  int ready; /* pollReady: cb(err, events) on readiness, nothing read here */
  int fd; /* -1 once the socket is closed (the handle is freed later by uv_close) */
} watcher;

/* Per Node environment (main thread, each worker): the sockets it opened, indexed by fd, which
   guards close/send on fds it does not own; and the handles still closing when it goes away. */
struct addon {
  struct { char open; watcher *w; } *socks;
  int nsocks;
  int closing;   /* uv_close called, close callback not yet run */
  int gone;      /* the environment is being torn down */
  napi_async_cleanup_hook_handle hook;
  struct repeaters *repeaters; /* repeat.c's sender thread and its repeaters, once one started */
  struct dump_job *dumps;      /* dumps.c's running dump thread, if any */
  unsigned char rbuf[RECV_BUF];
};

HIDDEN struct repeaters **addon_repeaters(addon *a) { return &a->repeaters; }
HIDDEN struct dump_job **addon_dumps(addon *a) { return &a->dumps; }

HIDDEN napi_value throw_errno(napi_env env, const char *op, int err) {
  const char *name = strerrorname_np(err);
  char code[32], msg[160];
  if (!name) { snprintf(code, sizeof code, "E%d", err); name = code; }
  snprintf(msg, sizeof msg, "%s: %s (%s)", op, name, strerror(err));
  napi_value c, m, e, n;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, c, m, &e);
  napi_create_int32(env, err, &n);
  napi_set_named_property(env, e, "errno", n);
  napi_create_string_utf8(env, op, NAPI_AUTO_LENGTH, &n);
  napi_set_named_property(env, e, "syscall", n);
  napi_throw(env, e);
  return NULL;
}

HIDDEN int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, addon **a) {
  size_t argc = want;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok) return 0;
  *a = data;
  if (argc < want) { napi_throw_type_error(env, "EINVAL", "missing arguments"); return 0; }
  return 1;
}

HIDDEN int get_int(napi_env env, napi_value v, int *out) {
  if (napi_get_value_int32(env, v, out) == napi_ok) return 1;
  napi_throw_type_error(env, "EINVAL", "expected a number");
  return 0;
}

/* A Buffer argument; null/undefined gives len 0 when optional. */
HIDDEN int get_buf(napi_env env, napi_value v, void **data, size_t *len, int optional) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (optional && (t == napi_null || t == napi_undefined)) { *data = NULL; *len = 0; return 1; }
  bool ok = false;
  napi_is_buffer(env, v, &ok);
  if (ok && napi_get_buffer_info(env, v, data, len) == napi_ok) return 1;
  napi_throw_type_error(env, "EINVAL", "expected a Buffer");
  return 0;
}

/* The fd argument, checked against the sockets this addon has open. */
HIDDEN int get_fd(napi_env env, addon *a, napi_value v, const char *op, int *fd) {
  if (!get_int(env, v, fd)) return 0;
  if (*fd >= 0 && *fd < a->nsocks && a->socks[*fd].open) return 1;
  throw_errno(env, op, EBADF);
  return 0;
}

HIDDEN napi_value num(napi_env env, int v) { napi_value r; napi_create_int32(env, v, &r); return r; }

static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int domain, type, proto;
  addon *a;
  if (!get_args(env, info, 3, argv, &a) || !get_int(env, argv[0], &domain) || !get_int(env, argv[1], &type) ||
      !get_int(env, argv[2], &proto)) return NULL;
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) return throw_errno(env, "socket", errno);
  return track_fd(env, a, fd, "socket");
}

/* Records a new fd as this addon's (close, teardown and the fd checks know it). */
HIDDEN napi_value track_fd(napi_env env, addon *a, int fd, const char *op) {
  if (fd >= a->nsocks) {
    int n = fd + 64;
    void *p = realloc(a->socks, n * sizeof *a->socks);
    if (!p) { close(fd); return throw_errno(env, op, ENOMEM); }
    a->socks = p;
    memset(&a->socks[a->nsocks], 0, (n - a->nsocks) * sizeof *a->socks);
    a->nsocks = n;
  }
  a->socks[fd].open = 1;
  a->socks[fd].w = NULL;
  return num(env, fd);
}

static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int fd, level, name, ival, r;
  addon *a;
  napi_valuetype t;
  if (!get_args(env, info, 4, argv, &a) || !get_fd(env, a, argv[0], "setsockopt", &fd) || !get_int(env, argv[1], &level) ||
      !get_int(env, argv[2], &name)) return NULL;
  napi_typeof(env, argv[3], &t);
  if (t == napi_number) {
    if (!get_int(env, argv[3], &ival)) return NULL;
    r = setsockopt(fd, level, name, &ival, sizeof ival);
  } else {
    void *data; size_t len;
    if (!get_buf(env, argv[3], &data, &len, 0)) return NULL;
    r = setsockopt(fd, level, name, data, (socklen_t)len);
  }
  if (r < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

static napi_value js_bind(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd; void *addr; size_t len;
  addon *a;
  if (!get_args(env, info, 2, argv, &a) || !get_fd(env, a, argv[0], "bind", &fd) || !get_buf(env, argv[1], &addr, &len, 0)) return NULL;
  if (bind(fd, addr, (socklen_t)len) < 0) return throw_errno(env, "bind", errno);
  return NULL;
}

static napi_value js_getsockname(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  int fd; struct sockaddr_storage ss; socklen_t len = sizeof ss;
  addon *a;
  if (!get_args(env, info, 1, argv, &a) || !get_fd(env, a, argv[0], "getsockname", &fd)) return NULL;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) return throw_errno(env, "getsockname", errno);
  CALL(napi_create_buffer_copy(env, len < sizeof ss ? len : sizeof ss, &ss, NULL, &out));
  return out;
}

/* sendto(fd, data, addr|null) -> bytes sent */
static napi_value js_sendto(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd; void *data, *addr; size_t len, alen;
  addon *a;
  if (!get_args(env, info, 3, argv, &a) || !get_fd(env, a, argv[0], "sendto", &fd) || !get_buf(env, argv[1], &data, &len, 0) ||
      !get_buf(env, argv[2], &addr, &alen, 1)) return NULL;
  ssize_t n;
  do n = sendto(fd, data, len, 0, addr, (socklen_t)alen); while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, "sendto", errno);
  return num(env, (int)n);
}

/* The payload of a control message when it is at least `size` bytes long, else NULL. */
static const void *cmsg_data(struct cmsghdr *c, int level, int type, size_t size) {
  if (c->cmsg_level != level || c->cmsg_type != type || c->cmsg_len < CMSG_LEN(size)) return NULL;
  return CMSG_DATA(c);
}

/* TTL/hop limit, receiving ifindex and destination address from a received message's ancillary data. */
static void parse_cmsgs(struct msghdr *mh, int *ttl, int *ifindex, const void **dst, size_t *dlen) {
  const void *p;
  *ttl = -1; *ifindex = -1; *dst = NULL; *dlen = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
    if ((p = cmsg_data(c, IPPROTO_IP, IP_TTL, sizeof(int))) || (p = cmsg_data(c, IPPROTO_IPV6, IPV6_HOPLIMIT, sizeof(int))))
      memcpy(ttl, p, sizeof *ttl);
    else if ((p = cmsg_data(c, IPPROTO_IP, IP_PKTINFO, sizeof(struct in_pktinfo)))) {
      struct in_pktinfo pi; memcpy(&pi, p, sizeof pi);
      *ifindex = pi.ipi_ifindex; *dst = (const char *)p + offsetof(struct in_pktinfo, ipi_addr); *dlen = 4;
    } else if ((p = cmsg_data(c, IPPROTO_IPV6, IPV6_PKTINFO, sizeof(struct in6_pktinfo)))) {
      struct in6_pktinfo pi; memcpy(&pi, p, sizeof pi);
      *ifindex = (int)pi.ipi6_ifindex; *dst = (const char *)p + offsetof(struct in6_pktinfo, ipi6_addr); *dlen = 16;
    }
  }
}

/* Reads one queued datagram into argv[0..4] = data, src, ttl, ifindex, dst; returns 1, 0 on EAGAIN, -errno. */
static int read_one(napi_env env, addon *a, int fd, napi_value *argv) {
  struct sockaddr_storage src;
  char cbuf[512];
  struct iovec iov = { a->rbuf, RECV_BUF };
  struct msghdr mh = { &src, sizeof src, &iov, 1, cbuf, sizeof cbuf, 0 };
  ssize_t n;
  do n = recvmsg(fd, &mh, MSG_DONTWAIT); while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
  if (mh.msg_flags & MSG_TRUNC) return -EMSGSIZE; /* the rest of the datagram is gone: drop it whole */
  int ttl, ifindex;
  const void *dst; size_t dlen;
  parse_cmsgs(&mh, &ttl, &ifindex, &dst, &dlen);
  /* The kernel reports the full address length, which may exceed the buffer it was given. */
  size_t alen = mh.msg_namelen < sizeof src ? mh.msg_namelen : sizeof src;
  napi_create_buffer_copy(env, (size_t)n, a->rbuf, NULL, &argv[0]);
  napi_create_buffer_copy(env, alen, &src, NULL, &argv[1]);
  argv[2] = num(env, ttl);
  argv[3] = num(env, ifindex);
  if (dst) napi_create_buffer_copy(env, dlen, dst, NULL, &argv[4]);
  else napi_get_null(env, &argv[4]);
  return 1;
}

/* recvNow(fd) -> [data, src, ttl, ifindex, dst] | null when nothing is queued */
static napi_value js_recv_now(napi_env env, napi_callback_info info) {
  napi_value argv[1], vals[5], arr;
  int fd;
  addon *a;
  if (!get_args(env, info, 1, argv, &a) || !get_fd(env, a, argv[0], "recvmsg", &fd)) return NULL;
  int r = read_one(env, a, fd, vals);
  if (r < 0) return throw_errno(env, "recvmsg", -r);
  if (r == 0) { napi_get_null(env, &arr); return arr; }
  CALL(napi_create_array_with_length(env, 5, &arr));
  for (uint32_t i = 0; i < 5; i++) napi_set_element(env, arr, i, vals[i]);
  return arr;
}

/* Calls cb(err, data, src, ttl, ifindex, dst); an exception thrown by cb is cleared, never fatal. */
static void deliver(watcher *w, napi_value *args) {
  napi_env env = w->env;
  napi_value cb, recv, result, exc;
  if (napi_get_reference_value(env, w->cb, &cb) != napi_ok || !cb) return;
  napi_get_global(env, &recv); /* make_callback needs an object receiver */
  if (napi_make_callback(env, w->ctx, recv, cb, 6, args, &result) == napi_pending_exception)
    napi_get_and_clear_last_exception(env, &exc);
}

/* An Error value for errno, built the same way as thrown ones. */
static napi_value errno_value(napi_env env, const char *op, int err) {
  napi_value exc;
  throw_errno(env, op, err);
  napi_get_and_clear_last_exception(env, &exc);
  return exc;
}

static void deliver_error(watcher *w, const char *op, int err) {
  napi_value args[6];
  args[0] = errno_value(w->env, op, err);
  for (int k = 1; k < 6; k++) napi_get_undefined(w->env, &args[k]);
  deliver(w, args);
}

static void stop_watcher(addon *a, int fd);

/* One recvmmsg into the batch memory; returns the datagrams read, 0 on EAGAIN, -errno. */
static int read_batch(watcher *w) {
  batch *b = w->b;
  for (int i = 0; i < b->max; i++) {
    b->iov[i] = (struct iovec){ b->data + (size_t)i * b->slot, (size_t)b->slot };
    b->msgs[i].msg_hdr = (struct msghdr){ &b->src[i], sizeof b->src[i], &b->iov[i], 1, b->cbuf + (size_t)i * BATCH_CMSG, BATCH_CMSG, 0 };
    b->msgs[i].msg_len = 0;
  }
  int n;
  do n = recvmmsg(w->fd, b->msgs, (unsigned)b->max, MSG_DONTWAIT, NULL); while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
  for (int i = 0; i < n; i++) {
    struct msghdr *mh = &b->msgs[i].msg_hdr;
    int32_t *m = b->meta + i * BATCH_META;
    unsigned char *ad = b->addrs + i * 32;
    int ttl, ifindex; const void *dst; size_t dlen;
    parse_cmsgs(mh, &ttl, &ifindex, &dst, &dlen);
    /* A truncated datagram is reported, not delivered: the rest of it is gone. */
    m[0] = (mh->msg_flags & MSG_TRUNC) ? -1 : (int32_t)b->msgs[i].msg_len;
    m[1] = ttl; m[2] = ifindex; m[3] = (int32_t)dlen;
    memset(ad, 0, 32);
    const struct sockaddr *sa = (const struct sockaddr *)&b->src[i];
    if (sa->sa_family == AF_INET && mh->msg_namelen >= sizeof(struct sockaddr_in)) memcpy(ad, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    else if (sa->sa_family == AF_INET6 && mh->msg_namelen >= sizeof(struct sockaddr_in6)) memcpy(ad, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    if (dst) memcpy(ad + 16, dst, dlen);
  }
  return n;
}

/* Batch mode: cb(err, count) once per recvmmsg. */
static void on_readable_batch(watcher *w) {
  napi_env env = w->env;
  napi_value args[6];
  int r = read_batch(w);
  if (r == 0) return;
  if (r < 0) { deliver_error(w, "recvmmsg", -r); return; }
  napi_get_null(env, &args[0]);
  args[1] = num(env, r);
  for (int k = 2; k < 6; k++) napi_get_undefined(env, &args[k]);
  deliver(w, args);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  watcher *w = (watcher *)h->data;
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_value args[6];
  (void)events;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (status < 0) {
    /* libuv reports EPOLLERR as UV_EBADF and stops the handle. On a socket that is a pending
       socket error (netlink ENOBUFS: notifications lost): fetch it, report it, keep watching. */
    int fd = w->fd, soerr = 0;
    socklen_t len = sizeof soerr;
    if (status == UV_EBADF && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr != 0 &&
        uv_poll_start(&w->poll, UV_READABLE, on_readable) == 0) {
      deliver_error(w, "recvmsg", soerr);
      status = 0;
    } else {
      deliver_error(w, "poll", -status);
      if (w->fd >= 0) stop_watcher(w->a, fd);
    }
  }
  /* w stays allocated until its close callback, even if cb closed the socket (w->fd is then -1). */
  if (w->b) {
    if (w->fd >= 0 && status >= 0) on_readable_batch(w);
    napi_close_handle_scope(env, scope);
    return;
  }
  for (int i = 0; i < MAX_BATCH && w->fd >= 0 && status >= 0; i++) {
    napi_handle_scope inner;
    napi_open_handle_scope(env, &inner);
    int r = read_one(env, w->a, w->fd, &args[1]);
    if (r > 0) { napi_get_null(env, &args[0]); deliver(w, args); }
    else if (r < 0) deliver_error(w, "recvmsg", -r);
    napi_close_handle_scope(env, inner);
    /* ENOBUFS (lost netlink notifications) and EMSGSIZE are per-datagram: keep reading. */
    if (r == 0 || (r < 0 && r != -ENOBUFS && r != -EMSGSIZE)) break;
  }
  napi_close_handle_scope(env, scope);
}

static void free_addon(addon *a) {
  napi_remove_async_cleanup_hook(a->hook);
  free(a->socks);
  free(a);
}

static void free_batch(batch *b) {
  if (!b) return;
  free(b->msgs); free(b->iov); free(b->src); free(b->cbuf);
  free(b);
}

HIDDEN void addon_handle_closing(addon *a) { a->closing++; }
HIDDEN void addon_handle_closed(addon *a) { if (--a->closing == 0 && a->gone) free_addon(a); }

static void free_watcher(uv_handle_t *h) {
  watcher *w = h->data;
  addon *a = w->a;
  free_batch(w->b);
  free(w);
  addon_handle_closed(a);
}

static void stop_watcher(addon *a, int fd) {
  watcher *w = a->socks[fd].w;
  if (!w) return;
  a->socks[fd].w = NULL;
  uv_poll_stop(&w->poll);
  napi_delete_reference(w->env, w->cb);
  if (w->b) for (int k = 0; k < 3; k++) if (w->b->refs[k]) napi_delete_reference(w->env, w->b->refs[k]);
  napi_async_destroy(w->env, w->ctx);
  w->fd = -1;
  a->closing++;
  uv_close((uv_handle_t *)&w->poll, free_watcher);
}

static int is_function(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_function) return 1;
  napi_throw_type_error(env, "EINVAL", "expected a callback function");
  return 0;
}

static void on_ready(uv_poll_t *h, int status, int events);

/* Watches fd with cb (and batch memory b, or NULL; or for readiness alone, `events`); frees b on failure. */
static napi_value watch(napi_env env, addon *a, int fd, napi_value fn, batch *b, int ready) {
  napi_value name;
  uv_loop_t *loop;
  stop_watcher(a, fd);
  watcher *w = calloc(1, sizeof *w);
  if (!w) {
    if (b) for (int k = 0; k < 3; k++) if (b->refs[k]) napi_delete_reference(env, b->refs[k]);
    free_batch(b); return throw_errno(env, "poll", ENOMEM);
  }
  w->a = a;
  w->env = env;
  w->fd = fd;
  w->b = b;
  w->ready = ready;
  w->poll.data = w;
  napi_get_uv_event_loop(env, &loop);
  napi_create_string_utf8(env, "vipkeeper.socket", NAPI_AUTO_LENGTH, &name);
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r < 0) {
    if (b) for (int k = 0; k < 3; k++) if (b->refs[k]) napi_delete_reference(env, b->refs[k]);
    free_batch(b); free(w); return throw_errno(env, "poll", -r);
  }
  napi_create_reference(env, fn, 1, &w->cb);
  napi_async_init(env, NULL, name, &w->ctx);
  a->socks[fd].w = w;
  r = ready ? uv_poll_start(&w->poll, ready, on_ready) : uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (r < 0) { stop_watcher(a, fd); return throw_errno(env, "poll", -r); }
  return NULL;
}

/* Readiness alone: cb(err, events), the socket left for JS to read, write or accept. */
static void on_ready(uv_poll_t *h, int status, int events) {
  watcher *w = (watcher *)h->data;
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_value args[6];
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (status < 0) args[0] = errno_value(env, "poll", -status); else napi_get_null(env, &args[0]);
  args[1] = num(env, status < 0 ? 0 : events);
  for (int k = 2; k < 6; k++) napi_get_undefined(env, &args[k]);
  deliver(w, args);
  napi_close_handle_scope(env, scope);
}

/* pollReady(fd, events, cb): cb(err, events) each time fd is ready for any of `events` (libuv's
   UV_READABLE, UV_WRITABLE, UV_DISCONNECT), until stopReceive/close. Called again on a watched
   fd, it changes the events and the callback. */
static napi_value js_poll_ready(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd, events;
  addon *a;
  if (!get_args(env, info, 3, argv, &a) || !get_fd(env, a, argv[0], "poll", &fd) || !get_int(env, argv[1], &events) ||
      !is_function(env, argv[2])) return NULL;
  if (events <= 0 || (events & ~(UV_READABLE | UV_WRITABLE | UV_DISCONNECT))) { napi_throw_range_error(env, "EINVAL", "events out of range"); return NULL; }
  watcher *w = a->socks[fd].w;
  if (!w || !w->ready) return watch(env, a, fd, argv[2], NULL, events);
  napi_delete_reference(env, w->cb);
  napi_create_reference(env, argv[2], 1, &w->cb);
  w->ready = events;
  int r = uv_poll_start(&w->poll, events, on_ready);
  if (r < 0) { stop_watcher(a, fd); return throw_errno(env, "poll", -r); }
  return NULL;
}

/* startReceive(fd, cb): watches the socket and calls cb for each datagram until stopReceive/close. */
static napi_value js_start_receive(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  addon *a;
  if (!get_args(env, info, 2, argv, &a) || !get_fd(env, a, argv[0], "poll", &fd) || !is_function(env, argv[1])) return NULL;
  return watch(env, a, fd, argv[1], NULL, 0);
}

/* startReceiveBatch(fd, data, meta, addrs, slot, cb): like startReceive, but each wake-up reads up
   to data.length / slot datagrams with one recvmmsg into the caller's memory (datagram i at
   data[i*slot], meta Int32Array [length or -1 truncated, ttl, ifindex, dst length] at i*4, source
   and destination addresses at addrs[i*32] and addrs[i*32+16]) and calls cb(err, count) once. The
   memory is overwritten by the next batch: the callback copies what it keeps. */
static napi_value js_start_receive_batch(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int fd, slot;
  addon *a;
  void *data, *addrs, *meta;
  size_t dlen, alen, mlen, off;
  napi_typedarray_type tt;
  napi_value ab;
  if (!get_args(env, info, 6, argv, &a) || !get_fd(env, a, argv[0], "poll", &fd) || !get_buf(env, argv[1], &data, &dlen, 0) ||
      !get_buf(env, argv[3], &addrs, &alen, 0) || !get_int(env, argv[4], &slot) || !is_function(env, argv[5])) return NULL;
  bool isTa = false;
  napi_is_typedarray(env, argv[2], &isTa);
  if (!isTa || napi_get_typedarray_info(env, argv[2], &tt, &mlen, &meta, &ab, &off) != napi_ok || tt != napi_int32_array) {
    napi_throw_type_error(env, "EINVAL", "expected an Int32Array");
    return NULL;
  }
  if (slot < 64 || slot > RECV_BUF) { napi_throw_range_error(env, "EINVAL", "slot size out of range"); return NULL; }
  size_t max = dlen / (size_t)slot;
  if (max < 1 || max > 1024 || mlen < max * BATCH_META || alen < max * 32) {
    napi_throw_range_error(env, "EINVAL", "batch memory sizes do not match (1-1024 slots; meta 4 ints and addrs 32 bytes per slot)");
    return NULL;
  }
  batch *b = calloc(1, sizeof *b);
  if (!b) return throw_errno(env, "poll", ENOMEM);
  b->data = data; b->meta = meta; b->addrs = addrs; b->max = (int)max; b->slot = slot;
  b->msgs = calloc(max, sizeof *b->msgs); b->iov = calloc(max, sizeof *b->iov);
  b->src = calloc(max, sizeof *b->src); b->cbuf = calloc(max, BATCH_CMSG);
  if (!b->msgs || !b->iov || !b->src || !b->cbuf) { free_batch(b); return throw_errno(env, "poll", ENOMEM); }
  napi_create_reference(env, argv[1], 1, &b->refs[0]);
  napi_create_reference(env, argv[2], 1, &b->refs[1]);
  napi_create_reference(env, argv[3], 1, &b->refs[2]);
  return watch(env, a, fd, argv[5], b, 0);
}

static napi_value js_stop_receive(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  addon *a;
  if (!get_args(env, info, 1, argv, &a) || !get_fd(env, a, argv[0], "poll", &fd)) return NULL;
  stop_watcher(a, fd);
  return NULL;
}

/* ref(fd, bool): whether a watched socket keeps the Node process alive. */
static napi_value js_ref(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd; bool on;
  addon *a;
  if (!get_args(env, info, 2, argv, &a) || !get_fd(env, a, argv[0], "poll", &fd)) return NULL;
  if (napi_get_value_bool(env, argv[1], &on) != napi_ok) { napi_throw_type_error(env, "EINVAL", "expected a boolean"); return NULL; }
  watcher *w = a->socks[fd].w;
  if (w) { if (on) uv_ref((uv_handle_t *)&w->poll); else uv_unref((uv_handle_t *)&w->poll); }
  return NULL;
}

static void close_fd(addon *a, int fd) {
  repeat_stop_fd(a, fd);
  dumps_stop_fd(a, fd); /* a dump thread on it finishes first: its fd number must not be reused under it */
  stop_watcher(a, fd); /* stop polling before the fd number can be reused */
  a->socks[fd].open = 0;
  close(fd);           /* never retried on EINTR: Linux has released the fd already */
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  addon *a;
  if (!get_args(env, info, 1, argv, &a) || !get_fd(env, a, argv[0], "close", &fd)) return NULL;
  close_fd(a, fd);
  return NULL;
}

/* getsockoptPeerCred(fd) -> [pid, uid, gid] of the process at the other end of a connected Unix
   socket. Any fd, not only this addon's: a read-only getsockopt cannot disturb another's socket. */
static napi_value js_getsockopt_peer_cred(napi_env env, napi_callback_info info) {
  napi_value argv[1], arr, v;
  int fd;
  addon *a;
  struct ucred cr;
  socklen_t len = sizeof cr;
  if (!get_args(env, info, 1, argv, &a) || !get_int(env, argv[0], &fd)) return NULL;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) return throw_errno(env, "getsockopt", errno);
  CALL(napi_create_array_with_length(env, 3, &arr));
  napi_set_element(env, arr, 0, num(env, cr.pid));
  napi_create_uint32(env, cr.uid, &v); napi_set_element(env, arr, 1, v);
  napi_create_uint32(env, cr.gid, &v); napi_set_element(env, arr, 2, v);
  return arr;
}

/* The environment is going away (process exit, worker termination): close every socket it left
   open; libuv refuses to close a loop with live handles, so finish once their closes complete. */
static void teardown(napi_async_cleanup_hook_handle h, void *arg) {
  addon *a = arg;
  a->gone = 1;
  repeat_stop_fd(a, -1);
  dumps_stop_fd(a, -1);
  for (int fd = 0; fd < a->nsocks; fd++) if (a->socks[fd].open) close_fd(a, fd);
  if (a->closing == 0) free_addon(a);
}

#define K(name) { #name, name }
static const struct { const char *name; int value; } consts[] = {
  K(AF_INET), K(AF_INET6), K(AF_PACKET), K(AF_NETLINK), K(AF_UNIX), K(SOCK_RAW), K(SOCK_DGRAM), K(SOCK_STREAM),
  K(UV_READABLE), K(UV_WRITABLE), K(UV_DISCONNECT),
  K(SOL_SOCKET), K(SO_BINDTODEVICE), K(SO_RCVBUF), K(SO_RCVBUFFORCE), K(SO_SNDBUF), K(SO_REUSEADDR),
  K(IPPROTO_IP), K(IPPROTO_IPV6), K(IPPROTO_ICMP), K(IPPROTO_ICMPV6), K(SOL_NETLINK), K(SOL_PACKET),
  K(IP_ADD_MEMBERSHIP), K(IP_DROP_MEMBERSHIP), K(IP_MULTICAST_IF), K(IP_MULTICAST_TTL), K(IP_MULTICAST_LOOP),
  K(IP_TTL), K(IP_RECVTTL), K(IP_PKTINFO), K(IP_HDRINCL), K(IP_MULTICAST_ALL), K(IP_TOS), K(IP_MTU_DISCOVER),
  K(IP_PMTUDISC_DONT), K(IP_PMTUDISC_DO), K(IPV6_TCLASS),
  K(IPV6_ADD_MEMBERSHIP), K(IPV6_DROP_MEMBERSHIP), K(IPV6_MULTICAST_IF), K(IPV6_MULTICAST_HOPS),
  K(IPV6_MULTICAST_LOOP), K(IPV6_UNICAST_HOPS), K(IPV6_RECVHOPLIMIT), K(IPV6_RECVPKTINFO), K(IPV6_CHECKSUM),
  K(IPV6_V6ONLY), K(IPV6_MULTICAST_ALL), K(ICMP6_FILTER),
  K(NETLINK_ROUTE), K(NETLINK_GENERIC), K(NETLINK_ADD_MEMBERSHIP), K(NETLINK_DROP_MEMBERSHIP),
  K(NETLINK_EXT_ACK), K(NETLINK_CAP_ACK), K(NETLINK_NO_ENOBUFS), K(NETLINK_GET_STRICT_CHK),
  K(PACKET_ADD_MEMBERSHIP), K(PACKET_MR_MULTICAST),
  K(SO_ATTACH_BPF), K(SO_DETACH_FILTER), K(BPF_MAP_TYPE_ARRAY), K(BPF_MAP_TYPE_HASH), K(BPF_PROG_TYPE_SOCKET_FILTER),
};

static napi_value init(napi_env env, napi_value exports) {
  static const struct { const char *name; napi_callback fn; } fns[] = {
    { "socket", js_socket }, { "setsockopt", js_setsockopt }, { "bind", js_bind }, { "getsockname", js_getsockname },
    { "sendto", js_sendto }, { "recvNow", js_recv_now }, { "netlinkDumps", js_netlink_dumps }, { "netlinkDumpsStart", js_netlink_dumps_start },
    { "netlinkDumpsTake", js_netlink_dumps_take }, { "netlinkDumpsEnd", js_netlink_dumps_end }, { "startReceive", js_start_receive },
    { "stopReceive", js_stop_receive }, { "ref", js_ref }, { "close", js_close },
    { "getsockoptPeerCred", js_getsockopt_peer_cred }, { "startReceiveBatch", js_start_receive_batch },
    { "bpfMapCreate", js_bpf_map_create }, { "bpfProgLoad", js_bpf_prog_load }, { "bpfMapLookup", js_bpf_map_lookup },
    { "bpfMapUpdate", js_bpf_map_update }, { "bpfMapDelete", js_bpf_map_delete },
    { "repeatStart", js_repeat_start }, { "repeatStop", js_repeat_stop }, { "repeatCounts", js_repeat_counts },
    { "repeatLease", js_repeat_lease }, { "quietStart", js_quiet_start }, { "quietStop", js_quiet_stop },
    { "probeOpen", js_probe_open }, { "probeConnect", js_probe_connect }, { "probeAbort", js_probe_abort },
    { "probePending", js_probe_pending }, { "probeClose", js_probe_close }, { "probeExchange", js_probe_exchange },
    { "probeTake", js_probe_take },
    { "pollReady", js_poll_ready }, { "listen", js_listen }, { "accept", js_accept }, { "connect", js_connect },
    { "read", js_read }, { "write", js_write }, { "shutdownWrite", js_shutdown_write },
  };
  napi_value v, c;
  addon *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  if (napi_add_async_cleanup_hook(env, teardown, a, &a->hook) != napi_ok) { free(a); return NULL; }
  for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
    CALL(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, a, &v));
    CALL(napi_set_named_property(env, exports, fns[i].name, v));
  }
  CALL(napi_create_object(env, &c));
  for (size_t i = 0; i < sizeof consts / sizeof *consts; i++)
    napi_set_named_property(env, c, consts[i].name, num(env, consts[i].value));
  CALL(napi_set_named_property(env, exports, "constants", c));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
