// vipkeeper's socket addon, connect-probe part: many nonblocking TCP connects watched through one
// epoll fd (itself watched by one uv_poll), each closed here as soon as its handshake ends, and
// their results handed to JS in batches: one JS call per wake-up with parallel arrays (id, errno)
// instead of one native->JS callback per socket (at 10,000 TCP_CHECKs a second, node's per-call
// entry cost was a large part of the director's CPU). Timeouts stay in JS (src/check/deadlines.ts):
// JS aborts an id and hears nothing more of it. Closed with close(): a FIN once connected, as
// keepalived's check_tcp.c does (no SO_LINGER 0 reset). System calls only, like the rest of the addon.
#include "sock.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <uv.h>

#define MAX_ID (1 << 24)    /* ids are slots chosen by JS: small, dense, reused */
#define MAX_ROUNDS 8        /* epoll_wait rounds per wake-up before yielding to the loop */

typedef struct prober {
  uv_poll_t poll;           /* watches ep */
  napi_env env;
  int ep;                   /* -1 once shut */
  int *fds;                 /* id -> fd, -1 when none */
  int nslots, pending;
  int32_t *ids, *errs;      /* JS-owned result arrays (kept alive by refs) */
  int cap;
  struct epoll_event *evs;  /* cap entries */
  napi_ref cb, ids_ref, errs_ref;
  napi_async_context ctx;
  napi_async_cleanup_hook_handle hook;
  int shut, poll_closed, gone;
} prober;

/* The struct itself lives until the environment goes (a JS External points at it, and a late
   call must find it marked shut rather than freed); shut() releases everything else at once. */
static void free_prober(prober *p) {
  napi_remove_async_cleanup_hook(p->hook);
  free(p);
}

static void on_poll_closed(uv_handle_t *h) {
  prober *p = h->data;
  p->poll_closed = 1;
  if (p->gone) free_prober(p);
}

static void shut(prober *p) {
  if (p->shut) return;
  p->shut = 1;
  for (int id = 0; id < p->nslots; id++) if (p->fds[id] >= 0) close(p->fds[id]);
  free(p->fds); p->fds = NULL; p->nslots = 0; p->pending = 0;
  free(p->evs); p->evs = NULL;
  p->ids = p->errs = NULL;
  napi_delete_reference(p->env, p->cb);
  napi_delete_reference(p->env, p->ids_ref);
  napi_delete_reference(p->env, p->errs_ref);
  napi_async_destroy(p->env, p->ctx);
  uv_poll_stop(&p->poll);          /* libuv must stop watching ep before it is closed */
  close(p->ep); p->ep = -1;
  uv_close((uv_handle_t *)&p->poll, on_poll_closed);
}

/* The environment is going away: close every socket still pending; free once libuv is done. */
static void teardown(napi_async_cleanup_hook_handle h, void *arg) {
  prober *p = arg;
  p->gone = 1;
  shut(p);
  if (p->poll_closed) free_prober(p);
}

/* Referenced only while connects are pending, so an idle prober never keeps node alive. */
static void set_pending(prober *p, int n) {
  if (n > 0 && p->pending == 0) uv_ref((uv_handle_t *)&p->poll);
  if (n == 0 && p->pending > 0) uv_unref((uv_handle_t *)&p->poll);
  p->pending = n;
}

static void deliver(prober *p, int count) {
  napi_value cb, recv, arg, result, exc;
  if (napi_get_reference_value(p->env, p->cb, &cb) != napi_ok || !cb) return;
  napi_get_global(p->env, &recv);
  napi_create_int32(p->env, count, &arg);
  if (napi_make_callback(p->env, p->ctx, recv, cb, 1, &arg, &result) == napi_pending_exception)
    napi_get_and_clear_last_exception(p->env, &exc);
}

/* Every finished connect of this round: SO_ERROR read, fd closed, result recorded; then one call. */
static void on_ready(uv_poll_t *h, int status, int events) {
  prober *p = h->data;
  (void)events;
  napi_handle_scope scope;
  if (p->shut) return;
  /* libuv stops a handle it reports an error for; an epoll fd has no error of its own, so watch on. */
  if (status < 0) uv_poll_start(&p->poll, UV_READABLE, on_ready);
  if (napi_open_handle_scope(p->env, &scope) != napi_ok) return;
  for (int round = 0; round < MAX_ROUNDS && !p->shut; round++) {
    int n;
    do n = epoll_wait(p->ep, p->evs, p->cap, 0); while (n < 0 && errno == EINTR);
    if (n <= 0) break;
    int k = 0, left = p->pending;
    for (int i = 0; i < n; i++) {
      uint32_t id = (uint32_t)(p->evs[i].data.u64 >> 32);
      int fd = (int)(uint32_t)p->evs[i].data.u64;
      if ((int)id >= p->nslots || p->fds[id] != fd) continue; /* not ours any more */
      int err = 0;
      socklen_t len = sizeof err;
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
      /* Hung up with no error recorded: the peer reset a connection we never saw complete. */
      else if (err == 0 && !(p->evs[i].events & EPOLLOUT)) err = ECONNRESET;
      close(fd);                      /* also leaves the epoll set */
      p->fds[id] = -1;
      left--;
      p->ids[k] = (int32_t)id;
      p->errs[k] = err;
      k++;
    }
    set_pending(p, left);
    /* Results are complete before JS runs: an abort or connect it makes cannot meet a stale event. */
    if (k) deliver(p, k);
    if (n < p->cap) break;
  }
  napi_close_handle_scope(p->env, scope);
}

/* The prober behind a JS External, shut or not. */
static prober *any_prober(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, "EINVAL", "expected a prober");
    return NULL;
  }
  return data;
}

static prober *get_prober(napi_env env, napi_value v, const char *op) {
  prober *p = any_prober(env, v);
  if (p && p->shut) { throw_errno(env, op, EBADF); return NULL; }
  return p;
}

static int get_int32_array(napi_env env, napi_value v, int32_t **data, size_t *len) {
  napi_typedarray_type t;
  void *d;
  napi_value ab;
  size_t off;
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (is && napi_get_typedarray_info(env, v, &t, len, &d, &ab, &off) == napi_ok && t == napi_int32_array && *len > 0) {
    *data = d;
    return 1;
  }
  napi_throw_type_error(env, "EINVAL", "expected a non-empty Int32Array");
  return 0;
}

/* probeOpen(ids: Int32Array, errs: Int32Array, cb(count)) -> prober. Each call of cb reports
   `count` finished connects: ids[i] ended with errs[i] (0: connected, else the errno). */
HIDDEN napi_value js_probe_open(napi_env env, napi_callback_info info) {
  napi_value argv[3], ext, name;
  addon *a;
  int32_t *ids, *errs;
  size_t nids, nerrs;
  napi_valuetype t;
  uv_loop_t *loop;
  if (!get_args(env, info, 3, argv, &a) || !get_int32_array(env, argv[0], &ids, &nids) ||
      !get_int32_array(env, argv[1], &errs, &nerrs)) return NULL;
  napi_typeof(env, argv[2], &t);
  if (t != napi_function) { napi_throw_type_error(env, "EINVAL", "expected a callback function"); return NULL; }
  prober *p = calloc(1, sizeof *p);
  if (!p) return throw_errno(env, "probeOpen", ENOMEM);
  p->env = env;
  p->cap = (int)(nids < nerrs ? nids : nerrs);
  if (p->cap > 65536) p->cap = 65536;
  p->evs = calloc((size_t)p->cap, sizeof *p->evs);
  if (!p->evs) { free(p); return throw_errno(env, "probeOpen", ENOMEM); }
  p->ep = epoll_create1(EPOLL_CLOEXEC);
  if (p->ep < 0) { int e = errno; free(p->evs); free(p); return throw_errno(env, "epoll_create1", e); }
  napi_get_uv_event_loop(env, &loop);
  int r = uv_poll_init(loop, &p->poll, p->ep);
  if (r < 0) { close(p->ep); free(p->evs); free(p); return throw_errno(env, "poll", -r); }
  p->poll.data = p;
  p->ids = ids; p->errs = errs;
  napi_create_reference(env, argv[0], 1, &p->ids_ref);
  napi_create_reference(env, argv[1], 1, &p->errs_ref);
  napi_create_reference(env, argv[2], 1, &p->cb);
  napi_create_string_utf8(env, "vipkeeper.probe", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &p->ctx);
  /* From here on every failure goes through shut(), which also closes the poll handle. */
  if (napi_add_async_cleanup_hook(env, teardown, p, &p->hook) != napi_ok) {
    p->gone = 1; shut(p); /* freed by on_poll_closed; remove_hook on a NULL handle is harmless */
    return throw_errno(env, "probeOpen", ENOMEM);
  }
  r = uv_poll_start(&p->poll, UV_READABLE, on_ready);
  if (r < 0) { shut(p); return throw_errno(env, "poll", -r); }
  uv_unref((uv_handle_t *)&p->poll);
  if (napi_create_external(env, p, NULL, NULL, &ext) != napi_ok) { shut(p); return NULL; }
  return ext;
}

static int grow(prober *p, int id) {
  int n = p->nslots ? p->nslots : 256;
  while (n <= id) n *= 2;
  int *f = realloc(p->fds, (size_t)n * sizeof *f);
  if (!f) return 0;
  for (int i = p->nslots; i < n; i++) f[i] = -1;
  p->fds = f; p->nslots = n;
  return 1;
}

/* probeConnect(prober, id, family 4|6, address, port) -> 0 (pending: reported later) or the errno
   of a connect that failed at once (nothing is reported for it). */
HIDDEN napi_value js_probe_connect(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  addon *a;
  int id, family, port;
  char text[INET6_ADDRSTRLEN + 1]; /* any address and one more byte: a longer string, cut short, never parses */
  size_t tlen;
  if (!get_args(env, info, 5, argv, &a)) return NULL;
  prober *p = get_prober(env, argv[0], "probeConnect");
  if (!p || !get_int(env, argv[1], &id) || !get_int(env, argv[2], &family) || !get_int(env, argv[4], &port)) return NULL;
  if (id < 0 || id >= MAX_ID || (family != 4 && family != 6) || port <= 0 || port > 65535) {
    napi_throw_range_error(env, "EINVAL", "id, family or port out of range");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, argv[3], text, sizeof text, &tlen) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "expected an address string");
    return NULL;
  }
  if (id >= p->nslots && !grow(p, id)) return throw_errno(env, "probeConnect", ENOMEM);
  if (p->fds[id] >= 0) return throw_errno(env, "probeConnect", EEXIST);
  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  if (family == 4) {
    struct sockaddr_in *s = (struct sockaddr_in *)&ss;
    s->sin_family = AF_INET; s->sin_port = htons((uint16_t)port); sl = sizeof *s;
    if (inet_pton(AF_INET, text, &s->sin_addr) != 1) return num(env, EINVAL);
  } else {
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
    s->sin6_family = AF_INET6; s->sin6_port = htons((uint16_t)port); sl = sizeof *s;
    if (inet_pton(AF_INET6, text, &s->sin6_addr) != 1) return num(env, EINVAL);
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return num(env, errno);
  int r;
  do r = connect(fd, (struct sockaddr *)&ss, sl); while (r < 0 && errno == EINTR);
  if (r < 0 && errno != EINPROGRESS) { int e = errno; close(fd); return num(env, e); }
  /* Connected at once or in progress: either way EPOLLOUT tells (level-triggered). */
  struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = ((uint64_t)(uint32_t)id << 32) | (uint32_t)fd };
  if (epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &ev) < 0) { int e = errno; close(fd); return num(env, e); }
  p->fds[id] = fd;
  set_pending(p, p->pending + 1);
  return num(env, 0);
}

/* probeAbort(prober, id) -> whether a connect was pending: its socket is closed, nothing reported. */
HIDDEN napi_value js_probe_abort(napi_env env, napi_callback_info info) {
  napi_value argv[2], r;
  addon *a;
  int id;
  if (!get_args(env, info, 2, argv, &a)) return NULL;
  prober *p = get_prober(env, argv[0], "probeAbort");
  if (!p || !get_int(env, argv[1], &id)) return NULL;
  int was = id >= 0 && id < p->nslots && p->fds[id] >= 0;
  if (was) {
    close(p->fds[id]);
    p->fds[id] = -1;
    set_pending(p, p->pending - 1);
  }
  napi_get_boolean(env, was, &r);
  return r;
}

/* probePending(prober) -> connects not yet reported (0 once closed). */
HIDDEN napi_value js_probe_pending(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  addon *a;
  prober *p;
  if (!get_args(env, info, 1, argv, &a) || !(p = any_prober(env, argv[0]))) return NULL;
  return num(env, p->pending);
}

/* probeClose(prober): every pending socket closed, nothing more reported. Idempotent. */
HIDDEN napi_value js_probe_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  addon *a;
  prober *p;
  if (!get_args(env, info, 1, argv, &a) || !(p = any_prober(env, argv[0]))) return NULL;
  shut(p);
  return NULL;
}
