// vipkeeper's socket addon, connect-probe part: many nonblocking TCP connects watched through one
// epoll fd (itself watched by one uv_poll), each closed here as soon as its handshake ends, and
// their results handed to JS in batches: one JS call per wake-up with parallel arrays (id, errno)
// instead of one native->JS callback per socket (at 10,000 TCP_CHECKs a second, node's per-call
// entry cost was a large part of the director's CPU). Timeouts stay in JS (src/check/deadlines.ts):
// JS aborts an id and hears nothing more of it. Closed with close(): a FIN once connected, as
// keepalived's check_tcp.c does (no SO_LINGER 0 reset). System calls only, like the rest of the addon.
//
// An exchange slot (HTTP_GET over plain HTTP) goes on after the connect: the addon writes the
// request JS gave it, reads the reply into a buffer of its own until the server closes (keepalived's
// check_http.c also reads to EOF, so the server, not the director, keeps the TIME_WAIT), and
// reports CONNECTED once, then DONE at EOF, at a read error or at the size cap. JS takes the bytes.
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
#define IN_FIRST 4096       /* an exchange's first read buffer; doubled up to its cap */

enum { S_NONE, S_CONNECT, S_XCONNECT, S_XWRITE, S_XREAD, S_XDONE };
enum { K_DONE, K_CONNECTED };

/* One id's socket and, for an exchange, its request left to write and its reply so far. */
typedef struct slot {
  int fd;                   /* -1 when none */
  int state;
  char *out;
  uint32_t outlen, outoff;
  char *in;
  uint32_t inlen, incap, inmax;
} slot;

typedef struct prober {
  uv_poll_t poll;           /* watches ep */
  napi_env env;
  int ep;                   /* -1 once shut */
  slot *slots;              /* by id */
  int nslots, pending;      /* pending: sockets open */
  int32_t *ids, *errs;      /* JS-owned result arrays (kept alive by refs) */
  int32_t *kinds;           /* exchanges only: K_* per result */
  int cap, maxev;           /* result entries; events per epoll_wait (an event may give two results) */
  struct epoll_event *evs;  /* maxev entries */
  napi_ref cb, ids_ref, errs_ref, kinds_ref;
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

/* Frees an id's buffers; its socket must be closed already. */
static void clear_slot(slot *s) {
  free(s->out); free(s->in);
  memset(s, 0, sizeof *s);
  s->fd = -1;
}

static void shut(prober *p) {
  if (p->shut) return;
  p->shut = 1;
  for (int id = 0; id < p->nslots; id++) {
    if (p->slots[id].fd >= 0) close(p->slots[id].fd);
    clear_slot(&p->slots[id]);
  }
  free(p->slots); p->slots = NULL; p->nslots = 0; p->pending = 0;
  free(p->evs); p->evs = NULL;
  p->ids = p->errs = p->kinds = NULL;
  napi_delete_reference(p->env, p->cb);
  napi_delete_reference(p->env, p->ids_ref);
  napi_delete_reference(p->env, p->errs_ref);
  if (p->kinds_ref) napi_delete_reference(p->env, p->kinds_ref);
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

/* Referenced only while sockets are open, so an idle prober never keeps node alive. */
static void add_pending(prober *p, int d) {
  int was = p->pending;
  p->pending += d;
  if (was == 0 && p->pending > 0) uv_ref((uv_handle_t *)&p->poll);
  if (was > 0 && p->pending == 0) uv_unref((uv_handle_t *)&p->poll);
}

static void deliver(prober *p, int count) {
  napi_value cb, recv, arg, result, exc;
  if (napi_get_reference_value(p->env, p->cb, &cb) != napi_ok || !cb) return;
  napi_get_global(p->env, &recv);
  napi_create_int32(p->env, count, &arg);
  if (napi_make_callback(p->env, p->ctx, recv, cb, 1, &arg, &result) == napi_pending_exception)
    napi_get_and_clear_last_exception(p->env, &exc);
}

/* The socket of an id is closed (it also leaves the epoll set); an exchange keeps its reply for JS. */
static void close_slot(prober *p, slot *s) {
  close(s->fd);
  s->fd = -1;
  add_pending(p, -1);
}

static void put(prober *p, int *k, int id, int kind, int err) {
  p->ids[*k] = id;
  p->errs[*k] = err;
  if (p->kinds) p->kinds[*k] = kind;
  (*k)++;
}

static void x_done(prober *p, int *k, int id, int err) {
  slot *s = &p->slots[id];
  close_slot(p, s);
  free(s->out); s->out = NULL;
  s->state = S_XDONE;
  put(p, k, id, K_DONE, err);
}

/* Writes what is left of the request; once all of it is out, the socket is watched for the reply. */
static void x_write(prober *p, int *k, int id) {
  slot *s = &p->slots[id];
  while (s->outoff < s->outlen) {
    ssize_t w = send(s->fd, s->out + s->outoff, s->outlen - s->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return; /* EPOLLOUT comes again */
    if (w < 0) { x_done(p, k, id, errno); return; }
    s->outoff += (uint32_t)w;
  }
  free(s->out); s->out = NULL;
  struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ((uint64_t)(uint32_t)id << 32) | (uint32_t)s->fd };
  if (epoll_ctl(p->ep, EPOLL_CTL_MOD, s->fd, &ev) < 0) { x_done(p, k, id, errno); return; }
  s->state = S_XREAD;
}

/* Reads until the socket has nothing more for now, the server closed (DONE 0), an error (DONE
   errno) or the cap (DONE EMSGSIZE: the reply is cut there, the socket closed). */
static void x_read(prober *p, int *k, int id) {
  slot *s = &p->slots[id];
  for (;;) {
    if (s->inlen == s->incap) {
      if (s->incap >= s->inmax) { x_done(p, k, id, EMSGSIZE); return; }
      uint32_t n = s->incap ? s->incap * 2 : IN_FIRST;
      if (n > s->inmax) n = s->inmax;
      char *b = realloc(s->in, n);
      if (!b) { x_done(p, k, id, ENOMEM); return; }
      s->in = b; s->incap = n;
    }
    ssize_t r = read(s->fd, s->in + s->inlen, s->incap - s->inlen);
    if (r > 0) { s->inlen += (uint32_t)r; continue; }
    if (r == 0) { x_done(p, k, id, 0); return; }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    x_done(p, k, id, errno);
    return;
  }
}

/* Every ready socket of this round handled, results recorded; then one JS call. */
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
    do n = epoll_wait(p->ep, p->evs, p->maxev, 0); while (n < 0 && errno == EINTR);
    if (n <= 0) break;
    int k = 0;
    for (int i = 0; i < n; i++) {
      uint32_t id = (uint32_t)(p->evs[i].data.u64 >> 32);
      int fd = (int)(uint32_t)p->evs[i].data.u64;
      if ((int)id >= p->nslots || p->slots[id].fd != fd) continue; /* not ours any more */
      slot *s = &p->slots[id];
      uint32_t got = p->evs[i].events;
      if (s->state == S_CONNECT || s->state == S_XCONNECT) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        /* Hung up with no error recorded: the peer reset a connection we never saw complete. */
        else if (err == 0 && !(got & EPOLLOUT)) err = ECONNRESET;
        if (s->state == S_CONNECT) {
          close_slot(p, s);
          s->state = S_NONE;
          put(p, &k, (int)id, K_DONE, err);
        } else if (err) {
          x_done(p, &k, (int)id, err);
        } else {
          put(p, &k, (int)id, K_CONNECTED, 0);
          s->state = S_XWRITE;
          x_write(p, &k, (int)id);
        }
      } else if (s->state == S_XWRITE) {
        if (got & EPOLLERR) {
          int err = 0;
          socklen_t len = sizeof err;
          if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
          else if (err == 0) err = EPIPE;
          x_done(p, &k, (int)id, err);
        } else x_write(p, &k, (int)id);
      } else if (s->state == S_XREAD) {
        x_read(p, &k, (int)id);
      }
    }
    /* Results are complete before JS runs: an abort or connect it makes cannot meet a stale event. */
    if (k) deliver(p, k);
    if (n < p->maxev) break;
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

/* probeOpen(ids, errs, cb(count)[, kinds]) -> prober; Int32Arrays of one length. Each call of cb
   reports `count` results: ids[i] ended with errs[i] (0: connected, else the errno). With kinds the
   prober also runs exchanges: kinds[i] is DONE (0) or CONNECTED (1). */
HIDDEN napi_value js_probe_open(napi_env env, napi_callback_info info) {
  napi_value argv[4], ext, name;
  size_t argc = 4;
  void *data = NULL;
  int32_t *ids, *errs, *kinds = NULL;
  size_t nids, nerrs, nk = 0;
  napi_valuetype t, tk;
  uv_loop_t *loop;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok) return NULL;
  if (argc < 3) { napi_throw_type_error(env, "EINVAL", "missing arguments"); return NULL; }
  if (!get_int32_array(env, argv[0], &ids, &nids) || !get_int32_array(env, argv[1], &errs, &nerrs)) return NULL;
  napi_typeof(env, argv[2], &t);
  if (t != napi_function) { napi_throw_type_error(env, "EINVAL", "expected a callback function"); return NULL; }
  napi_typeof(env, argv[3], &tk);
  if (tk != napi_undefined && !get_int32_array(env, argv[3], &kinds, &nk)) return NULL;
  prober *p = calloc(1, sizeof *p);
  if (!p) return throw_errno(env, "probeOpen", ENOMEM);
  p->env = env;
  p->cap = (int)(nids < nerrs ? nids : nerrs);
  if (kinds && (int)nk < p->cap) p->cap = (int)nk;
  if (p->cap > 65536) p->cap = 65536;
  /* An exchange's event can give two results (CONNECTED, then DONE when the write fails). */
  p->maxev = kinds ? p->cap / 2 : p->cap;
  if (kinds && p->cap < 2) { free(p); napi_throw_range_error(env, "EINVAL", "exchanges need 2 result entries or more"); return NULL; }
  p->evs = calloc((size_t)p->maxev, sizeof *p->evs);
  if (!p->evs) { free(p); return throw_errno(env, "probeOpen", ENOMEM); }
  p->ep = epoll_create1(EPOLL_CLOEXEC);
  if (p->ep < 0) { int e = errno; free(p->evs); free(p); return throw_errno(env, "epoll_create1", e); }
  napi_get_uv_event_loop(env, &loop);
  int r = uv_poll_init(loop, &p->poll, p->ep);
  if (r < 0) { close(p->ep); free(p->evs); free(p); return throw_errno(env, "poll", -r); }
  p->poll.data = p;
  p->ids = ids; p->errs = errs; p->kinds = kinds;
  napi_create_reference(env, argv[0], 1, &p->ids_ref);
  napi_create_reference(env, argv[1], 1, &p->errs_ref);
  napi_create_reference(env, argv[2], 1, &p->cb);
  if (kinds) napi_create_reference(env, argv[3], 1, &p->kinds_ref);
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
  slot *f = realloc(p->slots, (size_t)n * sizeof *f);
  if (!f) return 0;
  for (int i = p->nslots; i < n; i++) { memset(&f[i], 0, sizeof f[i]); f[i].fd = -1; }
  p->slots = f; p->nslots = n;
  return 1;
}

/* The shared start of probeConnect and probeExchange: argv[0..4] checked, the id's slot free (a
   finished exchange's reply not taken is dropped), the socket connecting and watched for EPOLLOUT.
   Returns the prober, with *err 0 (started) or the errno of a connect that failed at once; NULL
   with a JS exception pending. */
static prober *start(napi_env env, napi_value *argv, const char *op, int *idp, int *err) {
  int id, family, port;
  char text[INET6_ADDRSTRLEN + 1]; /* any address and one more byte: a longer string, cut short, never parses */
  size_t tlen;
  prober *p = get_prober(env, argv[0], op);
  if (!p || !get_int(env, argv[1], &id) || !get_int(env, argv[2], &family) || !get_int(env, argv[4], &port)) return NULL;
  if (id < 0 || id >= MAX_ID || (family != 4 && family != 6) || port <= 0 || port > 65535) {
    napi_throw_range_error(env, "EINVAL", "id, family or port out of range");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, argv[3], text, sizeof text, &tlen) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "expected an address string");
    return NULL;
  }
  if (id >= p->nslots && !grow(p, id)) { throw_errno(env, op, ENOMEM); return NULL; }
  if (p->slots[id].fd >= 0) { throw_errno(env, op, EEXIST); return NULL; }
  clear_slot(&p->slots[id]);
  *idp = id;
  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  if (family == 4) {
    struct sockaddr_in *s = (struct sockaddr_in *)&ss;
    s->sin_family = AF_INET; s->sin_port = htons((uint16_t)port); sl = sizeof *s;
    if (inet_pton(AF_INET, text, &s->sin_addr) != 1) { *err = EINVAL; return p; }
  } else {
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
    s->sin6_family = AF_INET6; s->sin6_port = htons((uint16_t)port); sl = sizeof *s;
    if (inet_pton(AF_INET6, text, &s->sin6_addr) != 1) { *err = EINVAL; return p; }
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) { *err = errno; return p; }
  int r;
  do r = connect(fd, (struct sockaddr *)&ss, sl); while (r < 0 && errno == EINTR);
  if (r < 0 && errno != EINPROGRESS) { *err = errno; close(fd); return p; }
  /* Connected at once or in progress: either way EPOLLOUT tells (level-triggered). */
  struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = ((uint64_t)(uint32_t)id << 32) | (uint32_t)fd };
  if (epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &ev) < 0) { *err = errno; close(fd); return p; }
  p->slots[id].fd = fd;
  add_pending(p, 1);
  *err = 0;
  return p;
}

/* probeConnect(prober, id, family 4|6, address, port) -> 0 (pending: reported later) or the errno
   of a connect that failed at once (nothing is reported for it). */
HIDDEN napi_value js_probe_connect(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  addon *a;
  int id, err;
  if (!get_args(env, info, 5, argv, &a)) return NULL;
  prober *p = start(env, argv, "probeConnect", &id, &err);
  if (!p) return NULL;
  if (!err) p->slots[id].state = S_CONNECT;
  return num(env, err);
}

/* probeExchange(prober, id, family, address, port, request: Buffer, max) -> as probeConnect; once
   connected the request is written and the reply read, at most `max` bytes (then DONE EMSGSIZE). */
HIDDEN napi_value js_probe_exchange(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  addon *a;
  int id, err, max;
  void *req;
  size_t len;
  if (!get_args(env, info, 7, argv, &a) || !get_buf(env, argv[5], &req, &len, 0) || !get_int(env, argv[6], &max)) return NULL;
  prober *q = get_prober(env, argv[0], "probeExchange");
  if (!q) return NULL;
  if (!q->kinds) { napi_throw_type_error(env, "EINVAL", "this prober was opened without kinds"); return NULL; }
  if (len == 0 || len > (1u << 20) || max <= 0) { napi_throw_range_error(env, "EINVAL", "request or max out of range"); return NULL; }
  char *out = malloc(len);
  if (!out) return throw_errno(env, "probeExchange", ENOMEM);
  memcpy(out, req, len);
  prober *p = start(env, argv, "probeExchange", &id, &err);
  if (!p || err) { free(out); return p ? num(env, err) : NULL; }
  slot *s = &p->slots[id];
  s->state = S_XCONNECT;
  s->out = out; s->outlen = (uint32_t)len; s->outoff = 0;
  s->inmax = (uint32_t)max;
  return num(env, 0);
}

/* A copy of an id's reply, or undefined when it has none. */
static napi_value reply(napi_env env, slot *s) {
  napi_value b;
  if (!s->in) { napi_get_undefined(env, &b); return b; }
  void *d;
  if (napi_create_buffer_copy(env, s->inlen, s->in, &d, &b) != napi_ok) return NULL;
  return b;
}

/* probeAbort(prober, id) -> whether the id had a socket open: it is closed (nothing more reported)
   and what the id held is freed. */
static int release(prober *p, int id) {
  if (id < 0 || id >= p->nslots) return 0;
  slot *s = &p->slots[id];
  int was = s->fd >= 0;
  if (was) close_slot(p, s);
  clear_slot(s);
  return was;
}

/* The (prober, id) arguments of probeAbort and probeTake; NULL with a JS exception pending. */
static prober *id_args(napi_env env, napi_callback_info info, const char *op, int *id) {
  napi_value argv[2];
  addon *a;
  if (!get_args(env, info, 2, argv, &a)) return NULL;
  prober *p = get_prober(env, argv[0], op);
  return p && get_int(env, argv[1], id) ? p : NULL;
}

HIDDEN napi_value js_probe_abort(napi_env env, napi_callback_info info) {
  napi_value r;
  int id;
  prober *p = id_args(env, info, "probeAbort", &id);
  if (!p) return NULL;
  napi_get_boolean(env, release(p, id), &r);
  return r;
}

/* probeTake(prober, id) -> the reply of a DONE exchange (undefined when none), the id released. */
HIDDEN napi_value js_probe_take(napi_env env, napi_callback_info info) {
  napi_value b;
  int id;
  prober *p = id_args(env, info, "probeTake", &id);
  if (!p) return NULL;
  if (id >= 0 && id < p->nslots) {
    b = reply(env, &p->slots[id]);
    release(p, id);
    return b;
  }
  napi_get_undefined(env, &b);
  return b;
}

/* probePending(prober) -> sockets still open (0 once closed). */
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
