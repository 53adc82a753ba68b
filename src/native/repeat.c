// Work on kernel timers, in a thread off node's event loop, whose every wake-up costs several
// times what keepalived pays for the same event. Two kinds of entries share the thread's epoll:
//
// Repeated sends: a VRRP master sends the same
// advertisement every interval, and every wake-up of node's event loop (JavaScript or not) costs
// several times what keepalived pays per advertisement. The packets are built in TypeScript; here
// one sender thread per environment waits on timerfds (absolute schedule: no drift, missed slots
// skipped) and calls sendto. The event loop hears of it only when a send fails (the first failure
// and every 100th, through a uv_async) and when JavaScript asks for the counts.
//
// A lease keeps a hung daemon from advertising: keepalived's adverts stop when its loop stops,
// and a backup takes over. Here they stop when JavaScript has not renewed the lease (repeatLease)
// in time: a stalled or deadlocked event loop lets the sender go quiet within the lease.
//
// Quiet watches: a backup's Master_Down timer while the kernel filter drops the master's copies
// and stamps the last one in a BPF array map (src/net/vrrp-filter.ts duplicate()). The thread
// wakes `early` before the deadline, reads the stamp, and moves the deadline to stamp + quiet
// while the master keeps talking; node's loop is woken (once) only when the deadline is near with
// no copy in time, and the machine decides from there. The map's fd is only read: closing it
// stops the watches on it first (repeat_stop_fd), as closing a socket stops its repeaters.
//
// Locking: one mutex guards the lists and every entry's fields. The thread finds a
// repeater by id under the lock for each timer event, so a repeater stopped (and freed) by the
// main thread between epoll_wait and the lock is simply not found; close() of a socket stops its
// repeaters under the lock first, so the thread never sends on a closed (or reused) fd.
#include "sock.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define MAX_PKTS 16  /* one per destination: the multicast group or each unicast peer */

typedef struct repeater {
  int id, sockfd, tfd, n, last_err, reported;
  uint64_t sent, errors;
  napi_ref cb;                 /* main thread only */
  napi_async_context ctx;      /* main thread only */
  unsigned char *pkt[MAX_PKTS];
  size_t plen[MAX_PKTS];
  struct sockaddr_storage addr[MAX_PKTS];
  socklen_t alen[MAX_PKTS];
  struct repeater *next;
} repeater;

typedef struct watch {
  int id, tfd, map_fd, key, due;  /* due: 1 to report, 2 reported */
  int64_t deadline, quiet, early;
  napi_ref cb;                 /* main thread only */
  napi_async_context ctx;      /* main thread only */
  struct watch *next;
} watch;

struct repeaters {
  pthread_mutex_t mu;
  pthread_t thread;
  int ep, wake, stopping, ids;
  int64_t lease_until;         /* CLOCK_MONOTONIC ns: no sends after it */
  int policy;                  /* the creating thread's scheduling, for the sender */
  struct sched_param param;
  repeater *list;
  watch *watches;
  uv_async_t async;            /* failures and due watches to report, for the main thread */
  addon *a;
  napi_env env;
};

static repeater *find(struct repeaters *rs, int id) {
  for (repeater *r = rs->list; r; r = r->next) if (r->id == id) return r;
  return NULL;
}

static watch *find_watch(struct repeaters *rs, int id) {
  for (watch *w = rs->watches; w; w = w->next) if (w->id == id) return w;
  return NULL;
}

/* An id no repeater or watch has (lock held). */
static int next_id(struct repeaters *rs) {
  int id;
  do id = ++rs->ids > 0 ? rs->ids : (rs->ids = 1); while (find(rs, id) || find_watch(rs, id));
  return id;
}

/* The callback's reference and its async context, named for async hooks. */
static void keep_cb(napi_env env, napi_value fn, const char *what, napi_ref *ref, napi_async_context *ctx) {
  napi_value name;
  napi_create_reference(env, fn, 1, ref);
  napi_create_string_utf8(env, what, NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, ctx);
}

/* Lock held: arms tfd (first at `at`, then every `interval`; 0: once), gives it an id and adds it
   to the thread's epoll. 0 or the errno. */
static int enlist(struct repeaters *rs, int tfd, int64_t at, int64_t interval, int *id) {
  struct itimerspec its = { { interval / 1000000000, interval % 1000000000 }, { at / 1000000000, at % 1000000000 } };
  *id = next_id(rs);
  struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)*id };
  if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0 || epoll_ctl(rs->ep, EPOLL_CTL_ADD, tfd, &ev) < 0) return errno;
  return 0;
}

static int arm_at(int tfd, int64_t at) {
  struct itimerspec its = { { 0, 0 }, { at / 1000000000, at % 1000000000 } };
  return timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* The watch's timer: a copy stamped since moves the deadline on; else it is due. */
static void watch_tick(struct repeaters *rs, watch *w) {
  uint64_t expired, stamp = 0;
  if (read(w->tfd, &expired, sizeof expired) != (ssize_t)sizeof expired || w->due) return;
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_fd = (uint32_t)w->map_fd;
  attr.key = (uint64_t)(uintptr_t)&w->key;
  attr.value = (uint64_t)(uintptr_t)&stamp;
  if (w->map_fd >= 0 && syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, &attr, sizeof attr) == 0 && (int64_t)stamp + w->quiet > w->deadline) {
    w->deadline = (int64_t)stamp + w->quiet;
    if (arm_at(w->tfd, w->deadline - w->early) == 0) return;
  }
  w->due = 1;
  uv_async_send(&rs->async);
}

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* One slot: however many passed (the thread was descheduled), one round, as the timer path. */
static void tick(struct repeaters *rs, repeater *r, int64_t now) {
  uint64_t expired;
  if (read(r->tfd, &expired, sizeof expired) != (ssize_t)sizeof expired) return;
  if (now > rs->lease_until) return; /* the event loop stopped renewing: say nothing */
  for (int i = 0; i < r->n; i++) {
    ssize_t s;
    do s = sendto(r->sockfd, r->pkt[i], r->plen[i], 0, (struct sockaddr *)&r->addr[i], r->alen[i]); while (s < 0 && errno == EINTR);
    if (s >= 0) { r->sent++; continue; }
    r->last_err = errno;
    /* The same cadence of reports as the JavaScript send path: the 1st failure, the 101st, ... */
    if (r->errors++ % 100 == 0) { r->reported = 0; uv_async_send(&rs->async); }
  }
}

static void *run(void *arg) {
  struct repeaters *rs = arg;
  struct epoll_event ev[32];
  /* The daemon runs SCHED_RR with reset-on-fork (vipkeeper run --rt-priority): a new thread starts
     SCHED_OTHER, and the adverts would lose what real-time priority buys them under load. */
  if (rs->policy != SCHED_OTHER) sched_setscheduler(0, rs->policy, &rs->param);
  for (;;) {
    int n = epoll_wait(rs->ep, ev, 32, -1);
    if (n < 0 && errno != EINTR) break;
    pthread_mutex_lock(&rs->mu);
    if (rs->stopping) { pthread_mutex_unlock(&rs->mu); break; }
    int64_t now = now_ns();
    for (int i = 0; i < n; i++) {
      repeater *r = find(rs, (int)ev[i].data.u32);
      watch *w = r ? NULL : find_watch(rs, (int)ev[i].data.u32);
      if (r) tick(rs, r, now);
      else if (w) watch_tick(rs, w);
    }
    pthread_mutex_unlock(&rs->mu);
  }
  return NULL;
}

static void call(napi_env env, napi_ref ref, napi_async_context ctx, size_t argc, napi_value *args) {
  napi_value cb, recv, result, exc;
  if (napi_get_reference_value(env, ref, &cb) != napi_ok || !cb) return;
  napi_get_global(env, &recv);
  if (napi_make_callback(env, ctx, recv, cb, argc, args, &result) == napi_pending_exception)
    napi_get_and_clear_last_exception(env, &exc);
}

/* Main thread: calls cb() of each watch come due, once. Only the main thread frees watches. */
static void on_due(struct repeaters *rs) {
  for (;;) {
    pthread_mutex_lock(&rs->mu);
    watch *w = rs->watches;
    while (w && w->due != 1) w = w->next;
    if (w) w->due = 2;
    pthread_mutex_unlock(&rs->mu);
    if (!w) return;
    napi_handle_scope scope;
    if (napi_open_handle_scope(rs->env, &scope) != napi_ok) return;
    call(rs->env, w->cb, w->ctx, 0, NULL);
    napi_close_handle_scope(rs->env, scope);
  }
}

/* Main thread: calls cb() of the due watches, then cb(err, errors) of each repeater with an unreported failure. */
static void on_async(uv_async_t *h) {
  struct repeaters *rs = h->data;
  napi_env env = rs->env;
  on_due(rs);
  for (;;) {
    int err = 0;
    double errors = 0;
    pthread_mutex_lock(&rs->mu);
    repeater *r = rs->list;
    while (r && r->reported) r = r->next;
    if (r) { r->reported = 1; err = r->last_err; errors = (double)r->errors; }
    pthread_mutex_unlock(&rs->mu);
    if (!r) return;
    napi_handle_scope scope;
    napi_value args[2];
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    /* Only the main thread frees repeaters: r is still valid here. */
    throw_errno(env, "sendto", err);
    napi_get_and_clear_last_exception(env, &args[0]);
    napi_create_double(env, errors, &args[1]);
    call(env, r->cb, r->ctx, 2, args);
    napi_close_handle_scope(env, scope);
  }
}

static void free_repeater(napi_env env, repeater *r) {
  if (r->cb) napi_delete_reference(env, r->cb);
  if (r->ctx) napi_async_destroy(env, r->ctx);
  if (r->tfd >= 0) close(r->tfd);
  for (int i = 0; i < r->n; i++) free(r->pkt[i]);
  free(r);
}

/* Unlinks r (lock held) and takes its timer out of the thread's epoll. */
static void unlink_repeater(struct repeaters *rs, repeater *r) {
  repeater **p = &rs->list;
  while (*p && *p != r) p = &(*p)->next;
  if (*p) *p = r->next;
  epoll_ctl(rs->ep, EPOLL_CTL_DEL, r->tfd, NULL);
}

static void async_closed(uv_handle_t *h) {
  struct repeaters *rs = h->data;
  addon *a = rs->a;
  pthread_mutex_destroy(&rs->mu);
  free(rs);
  addon_handle_closed(a);
}

/* The sender thread and its epoll, made at the first repeat of an environment. */
static struct repeaters *repeaters_of(napi_env env, addon *a) {
  struct repeaters **slot = addon_repeaters(a);
  if (*slot) return *slot;
  struct repeaters *rs = calloc(1, sizeof *rs);
  uv_loop_t *loop;
  if (!rs) { throw_errno(env, "repeat", ENOMEM); return NULL; }
  rs->a = a; rs->env = env; rs->ep = rs->wake = -1;
  pthread_mutex_init(&rs->mu, NULL);
  int e = 0;
  if ((rs->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 || (rs->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) e = errno;
  struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 0 }; /* id 0 is never a repeater or a watch */
  if (!e && epoll_ctl(rs->ep, EPOLL_CTL_ADD, rs->wake, &ev) < 0) e = errno;
  napi_get_uv_event_loop(env, &loop);
  if (!e && (e = -uv_async_init(loop, &rs->async, on_async)) == 0) {
    rs->async.data = rs;
    uv_unref((uv_handle_t *)&rs->async); /* as a timer would not: the daemon's other handles keep it alive */
    rs->policy = sched_getscheduler(0);
    if (rs->policy < 0 || sched_getparam(0, &rs->param) < 0) rs->policy = SCHED_OTHER;
    /* Signals stay with node's threads: the sender starts with every signal blocked. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    e = pthread_create(&rs->thread, NULL, run, rs);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e == 0) { *slot = rs; return rs; }
    addon_handle_closing(a);
    if (rs->ep >= 0) close(rs->ep);
    if (rs->wake >= 0) close(rs->wake);
    uv_close((uv_handle_t *)&rs->async, async_closed);
    throw_errno(env, "pthread_create", e);
    return NULL;
  }
  if (rs->ep >= 0) close(rs->ep);
  if (rs->wake >= 0) close(rs->wake);
  pthread_mutex_destroy(&rs->mu);
  free(rs);
  throw_errno(env, "repeat", e);
  return NULL;
}

static int get_ns(napi_env env, napi_value v, double min, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= min) || d > 3600e9) {
    napi_throw_range_error(env, "EINVAL", "time out of range");
    return 0;
  }
  *out = (int64_t)d;
  return 1;
}

static int buffers(napi_env env, napi_value arr, uint32_t *n, napi_value *out) {
  bool isArr = false;
  napi_is_array(env, arr, &isArr);
  if (!isArr || napi_get_array_length(env, arr, n) != napi_ok || *n < 1 || *n > MAX_PKTS) {
    napi_throw_range_error(env, "EINVAL", "expected an array of 1 to 16 Buffers");
    return 0;
  }
  for (uint32_t i = 0; i < *n; i++) if (napi_get_element(env, arr, i, &out[i]) != napi_ok) return 0;
  return 1;
}

/* repeatStart(fd, packets[], sockaddrs[], firstNs, intervalNs, cb) -> id: sends packets[i] to
   sockaddrs[i] firstNs from now and every intervalNs after, until repeatStop(id) or the socket
   closes. The bytes are copied: the caller may reuse its buffers. */
HIDDEN napi_value js_repeat_start(napi_env env, napi_callback_info info) {
  napi_value argv[6], pv[MAX_PKTS], av[MAX_PKTS];
  int fd;
  uint32_t np, na;
  int64_t first, interval;
  addon *a;
  napi_valuetype t;
  if (!get_args(env, info, 6, argv, &a) || !get_fd(env, a, argv[0], "repeat", &fd) || !buffers(env, argv[1], &np, pv) ||
      !buffers(env, argv[2], &na, av) || !get_ns(env, argv[3], 0, &first) || !get_ns(env, argv[4], 1e5, &interval)) return NULL;
  napi_typeof(env, argv[5], &t);
  if (t != napi_function) { napi_throw_type_error(env, "EINVAL", "expected a callback function"); return NULL; }
  if (np != na) { napi_throw_range_error(env, "EINVAL", "one sockaddr per packet"); return NULL; }
  repeater *r = calloc(1, sizeof *r);
  if (!r) return throw_errno(env, "repeat", ENOMEM);
  r->sockfd = fd; r->tfd = -1; r->reported = 1;
  for (uint32_t i = 0; i < np; i++) {
    void *p, *sa; size_t pl, sl;
    if (!get_buf(env, pv[i], &p, &pl, 0) || !get_buf(env, av[i], &sa, &sl, 0)) goto fail;
    if (pl == 0 || pl > 65535 || sl == 0 || sl > sizeof r->addr[i]) { napi_throw_range_error(env, "EINVAL", "packet or sockaddr size out of range"); goto fail; }
    if (!(r->pkt[i] = malloc(pl))) { throw_errno(env, "repeat", ENOMEM); goto fail; }
    r->n = (int)i + 1;
    memcpy(r->pkt[i], p, pl); r->plen[i] = pl;
    memcpy(&r->addr[i], sa, sl); r->alen[i] = (socklen_t)sl;
  }
  struct repeaters *rs = repeaters_of(env, a);
  if (!rs) goto fail;
  r->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (r->tfd < 0) { throw_errno(env, "timerfd_create", errno); goto fail; }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t at = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + (first > 0 ? first : 1);
  /* On a whole-millisecond grid: many instances' adverts (their intervals are centiseconds) then
     share wake-ups of the thread instead of each having its own, as node's millisecond timers did. */
  at = (at + 999999) / 1000000 * 1000000;
  keep_cb(env, argv[5], "vipkeeper.repeat", &r->cb, &r->ctx);
  pthread_mutex_lock(&rs->mu);
  int e = enlist(rs, r->tfd, at, interval, &r->id);
  if (!e) { r->next = rs->list; rs->list = r; }
  pthread_mutex_unlock(&rs->mu);
  if (e) { throw_errno(env, "repeat", e); goto fail; }
  return num(env, r->id);
fail:
  free_repeater(env, r);
  return NULL;
}

static void free_watch(napi_env env, watch *w) {
  if (w->cb) napi_delete_reference(env, w->cb);
  if (w->ctx) napi_async_destroy(env, w->ctx);
  if (w->tfd >= 0) close(w->tfd);
  free(w);
}

/* quietStart(mapFd, key, inNs, quietNs, earlyNs, cb) -> id: a deadline inNs from now, moved to
   stamp + quietNs whenever the u64 CLOCK_MONOTONIC stamp at `key` of the BPF map allows; cb()
   is called once, earlyNs before the deadline that no stamp moved. Stopped by quietStop(id) or
   by closing the map's fd. mapFd -1: no map, so a one-shot timer to the nanosecond (the clock's
   precise timers), stopped by quietStop(id) or the environment's end. */
HIDDEN napi_value js_quiet_start(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int map_fd, key;
  int64_t in, quiet, early;
  addon *a;
  napi_valuetype t;
  if (!get_args(env, info, 6, argv, &a) || !get_int(env, argv[0], &map_fd) || (map_fd != -1 && !get_fd(env, a, argv[0], "quiet watch", &map_fd)) || !get_int(env, argv[1], &key) ||
      !get_ns(env, argv[2], 0, &in) || !get_ns(env, argv[3], 1e5, &quiet) || !get_ns(env, argv[4], 0, &early)) return NULL;
  napi_typeof(env, argv[5], &t);
  if (t != napi_function) { napi_throw_type_error(env, "EINVAL", "expected a callback function"); return NULL; }
  struct repeaters *rs = repeaters_of(env, a);
  if (!rs) return NULL;
  watch *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, "quiet watch", ENOMEM);
  w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (w->tfd < 0) { free(w); return throw_errno(env, "timerfd_create", errno); }
  w->map_fd = map_fd; w->key = key; w->quiet = quiet; w->early = early;
  w->deadline = now_ns() + in;
  keep_cb(env, argv[5], "vipkeeper.quiet", &w->cb, &w->ctx);
  int64_t first = w->deadline - early;
  pthread_mutex_lock(&rs->mu);
  int e = enlist(rs, w->tfd, first > 0 ? first : 1, 0, &w->id);
  if (!e) { w->next = rs->watches; rs->watches = w; }
  pthread_mutex_unlock(&rs->mu);
  if (e) { free_watch(env, w); return throw_errno(env, "quiet watch", e); }
  return num(env, w->id);
}

/* quietStop(id) -> whether it was running. */
HIDDEN napi_value js_quiet_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  int id;
  addon *a;
  if (!get_args(env, info, 1, argv, &a) || !get_int(env, argv[0], &id)) return NULL;
  struct repeaters *rs = *addon_repeaters(a);
  watch *w = NULL;
  if (rs) {
    pthread_mutex_lock(&rs->mu);
    for (watch **p = &rs->watches; *p; p = &(*p)->next) if ((*p)->id == id) { w = *p; *p = w->next; break; }
    if (w) epoll_ctl(rs->ep, EPOLL_CTL_DEL, w->tfd, NULL);
    pthread_mutex_unlock(&rs->mu);
  }
  if (w) free_watch(env, w);
  napi_get_boolean(env, w != NULL, &out);
  return out;
}

/* repeatLease(ns): the event loop is alive; repeats may send until ns from now. */
HIDDEN napi_value js_repeat_lease(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t lease;
  addon *a;
  if (!get_args(env, info, 1, argv, &a) || !get_ns(env, argv[0], 0, &lease)) return NULL;
  struct repeaters *rs = repeaters_of(env, a);
  if (!rs) return NULL;
  pthread_mutex_lock(&rs->mu);
  rs->lease_until = now_ns() + lease;
  pthread_mutex_unlock(&rs->mu);
  return NULL;
}

static napi_value counts(napi_env env, repeater *r, uint64_t sent, uint64_t errors) {
  napi_value arr, v;
  if (!r) { napi_get_null(env, &arr); return arr; }
  CALL(napi_create_array_with_length(env, 2, &arr));
  napi_create_double(env, (double)sent, &v); napi_set_element(env, arr, 0, v);
  napi_create_double(env, (double)errors, &v); napi_set_element(env, arr, 1, v);
  return arr;
}

/* counts(id) and stop(id): the repeater with id, found under the lock, unlinked when `stop`. */
static napi_value counts_of(napi_env env, napi_callback_info info, int stop) {
  napi_value argv[1], out;
  int id;
  addon *a;
  if (!get_args(env, info, 1, argv, &a) || !get_int(env, argv[0], &id)) return NULL;
  struct repeaters *rs = *addon_repeaters(a);
  if (!rs) return counts(env, NULL, 0, 0);
  pthread_mutex_lock(&rs->mu);
  repeater *r = find(rs, id);
  uint64_t sent = r ? r->sent : 0, errors = r ? r->errors : 0;
  if (r && stop) unlink_repeater(rs, r);
  pthread_mutex_unlock(&rs->mu);
  out = counts(env, r, sent, errors);
  if (r && stop) free_repeater(env, r);
  return out;
}

/* repeatCounts(id) -> [sent, errors] | null when id is not running. */
HIDDEN napi_value js_repeat_counts(napi_env env, napi_callback_info info) { return counts_of(env, info, 0); }

/* repeatStop(id) -> the final [sent, errors] | null when id was not running. */
HIDDEN napi_value js_repeat_stop(napi_env env, napi_callback_info info) { return counts_of(env, info, 1); }

/* The socket is closing: its repeaters stop first, before the fd number can be reused. fd < 0:
   the environment is going away, so every repeater stops and the thread ends. */
HIDDEN void repeat_stop_fd(addon *a, int fd) {
  struct repeaters *rs = *addon_repeaters(a);
  if (!rs) return;
  repeater *gone = NULL;
  pthread_mutex_lock(&rs->mu);
  for (repeater **p = &rs->list; *p;) {
    repeater *r = *p;
    if (r->sockfd != fd && fd >= 0) { p = &r->next; continue; }
    *p = r->next;
    epoll_ctl(rs->ep, EPOLL_CTL_DEL, r->tfd, NULL);
    r->next = gone; gone = r;
  }
  watch *wgone = NULL;
  for (watch **p = &rs->watches; *p;) {
    watch *w = *p;
    if (w->map_fd != fd && fd >= 0) { p = &w->next; continue; }
    *p = w->next;
    epoll_ctl(rs->ep, EPOLL_CTL_DEL, w->tfd, NULL);
    w->next = wgone; wgone = w;
  }
  if (fd < 0) rs->stopping = 1;
  pthread_mutex_unlock(&rs->mu);
  while (gone) { repeater *r = gone; gone = r->next; free_repeater(rs->env, r); }
  while (wgone) { watch *w = wgone; wgone = w->next; free_watch(rs->env, w); }
  if (fd >= 0) return;
  uint64_t one = 1;
  if (write(rs->wake, &one, sizeof one) < 0) { /* the eventfd cannot be full: 1 is written once */ }
  pthread_join(rs->thread, NULL);
  close(rs->ep);
  close(rs->wake);
  *addon_repeaters(a) = NULL;
  addon_handle_closing(a);
  uv_close((uv_handle_t *)&rs->async, async_closed);
}
