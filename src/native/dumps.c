// Netlink dumps read inline: each request of a buffer sent as a datagram of its own and its whole
// answer read before the next (the kernel runs one dump per socket at a time), either in the
// caller's thread (netlinkDumps) or in a thread of their own (netlinkDumpsStart / Take / End), so
// the kernel's work on the dumps runs beside the JavaScript that decodes the answers already read.
// The thread owns all the memory it writes (a copy of the requests, its own answer buffer): Take
// copies the finished answers into the caller's buffers, so no JavaScript memory is ever written
// from another thread. Decoding is left to TypeScript.
#include "sock.h"
#include <linux/netlink.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DUMP_VLEN 8 /* datagrams per recvmmsg: a dump's data parts and its NLMSG_DONE */

/* Whether datagram p[0, len) holds NLMSG_DONE or NLMSG_ERROR with sequence number seq. */
static int nl_ends(const unsigned char *p, size_t len, uint32_t seq) {
  for (size_t at = 0; at + sizeof(struct nlmsghdr) <= len;) {
    struct nlmsghdr h;
    memcpy(&h, p + at, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > len - at) return 0; /* malformed: TypeScript counts it */
    if (h.nlmsg_seq == seq && (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR)) return 1;
    at += NLMSG_ALIGN(h.nlmsg_len);
  }
  return 0;
}

/* The requests in reqs[0, rlen), or -1 when one is malformed. */
static long count_requests(const unsigned char *reqs, size_t rlen) {
  long n = 0;
  for (size_t at = 0; at + sizeof(struct nlmsghdr) <= rlen; n++) {
    struct nlmsghdr h;
    memcpy(&h, reqs + at, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > rlen - at) return -1;
    at += NLMSG_ALIGN(h.nlmsg_len);
  }
  return n;
}

/* slot 0: page-sized reads (see js_netlink_dumps); -1 when out of range. */
static int slot_size(int slot) {
  if (slot == 0) {
    long page = sysconf(_SC_PAGESIZE);
    return page >= 4096 && page < 8192 ? (int)page : 8192;
  }
  return slot < 4096 || slot > RECV_BUF ? -1 : slot;
}

/* One run of dumps: what both entry points hand to run_dumps. */
struct dump_run {
  int fd, slot;
  const unsigned char *reqs;
  size_t n;
  unsigned char *out;
  size_t olen;
  int32_t *res;                          /* 2n + 3 entries, as netlinkDumps documents them */
  int (*answered)(void *ctx, size_t i);  /* after answer i is whole; nonzero: send no more */
  void *ctx;
};

/* Sends and reads as js_netlink_dumps documents; returns the requests answered. */
static size_t run_dumps(const struct dump_run *r) {
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK }, src[DUMP_VLEN];
  struct mmsghdr msgs[DUMP_VLEN];
  struct iovec iov[DUMP_VLEN];
  const size_t slot = (size_t)r->slot, olen = r->olen;
  unsigned char *out = r->out;
  int32_t *res = r->res;
  size_t off = 0, rat = 0, i = 0;
  int status = 0, foreign = 0, unread = 0;
  for (; i < r->n; i++) {
    struct nlmsghdr h;
    memcpy(&h, r->reqs + rat, sizeof h);
    if (olen - off < slot * DUMP_VLEN) break; /* status 0: no room, call again */
    ssize_t s;
    do s = sendto(r->fd, r->reqs + rat, h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel); while (s < 0 && errno == EINTR);
    if (s < 0) { status = errno; break; }
    rat += NLMSG_ALIGN(h.nlmsg_len);
    res[2 * i] = (int32_t)off;
    int ended = 0;
    while (!ended && !status) {
      size_t vlen = (olen - off) / slot;
      if (vlen == 0) { status = ENOSPC; break; } /* out is full inside a dump: the caller asks again its usual way */
      if (vlen > DUMP_VLEN) vlen = DUMP_VLEN;
      for (size_t k = 0; k < vlen; k++) {
        iov[k] = (struct iovec){ out + off + k * slot, slot };
        msgs[k].msg_hdr = (struct msghdr){ &src[k], sizeof src[k], &iov[k], 1, NULL, 0, 0 };
        msgs[k].msg_len = 0;
      }
      int got;
      do got = recvmmsg(r->fd, msgs, (unsigned)vlen, MSG_DONTWAIT, NULL); while (got < 0 && errno == EINTR);
      if (got < 0) { status = errno == EWOULDBLOCK ? EAGAIN : errno; break; }
      /* Close the gaps between the slots; drop what a process (not the kernel, port 0) sent. */
      size_t w = off;
      for (int k = 0; k < got; k++) {
        if (msgs[k].msg_hdr.msg_flags & MSG_TRUNC) { status = EMSGSIZE; break; }
        if (msgs[k].msg_hdr.msg_namelen < sizeof src[k] || src[k].nl_pid != 0) { foreign++; continue; }
        size_t len = msgs[k].msg_len;
        unsigned char *p = out + off + (size_t)k * slot;
        if (p != out + w) memmove(out + w, p, len);
        if (nl_ends(out + w, len, h.nlmsg_seq)) ended = 1;
        w += NLMSG_ALIGN(len);
      }
      off = w;
    }
    res[2 * i + 1] = (int32_t)off;
    if (status) { unread = !ended; break; }
    if (r->answered && r->answered(r->ctx, i)) { i++; break; }
  }
  res[2 * r->n] = status;
  res[2 * r->n + 1] = foreign;
  res[2 * r->n + 2] = unread;
  return i;
}

static int get_res(napi_env env, napi_value v, int32_t **res, size_t *len) {
  napi_typedarray_type tt;
  napi_value ab; size_t boff; void *data;
  if (napi_get_typedarray_info(env, v, &tt, len, &data, &ab, &boff) != napi_ok || tt != napi_int32_array) {
    napi_throw_type_error(env, "EINVAL", "expected an Int32Array");
    return 0;
  }
  *res = data;
  return 1;
}

/* netlinkDumps(fd, reqs, out, res, slot) -> count. Sends each netlink message of reqs (back to back,
   each with its own sequence number) as a datagram of its own and reads its whole answer, to the
   NLMSG_DONE or NLMSG_ERROR with its sequence number, before sending the next: the kernel runs one
   dump per socket at a time, answers the request inside sendmsg and makes each next part inside the
   read of the one before, so one recvmmsg normally reads a dump's parts and its end. The kernel's
   datagrams are copied to out back to back (each padded to 4 bytes); res[2i], res[2i + 1] are the
   out offsets of request i's answer. Returns the requests answered; when short of all, res[2n] is
   why (0: out has no room for another 8 reads of `slot` bytes, call again with the rest; EAGAIN: a
   part was not queued; EMSGSIZE: a datagram was longer than slot; ENOSPC: out filled up inside a
   dump; another errno: send or receive failed); res[2n + 1]: datagrams dropped because a process, not the kernel, sent them; res[2n + 2]
   is 1 when the last request was sent and its answer not read to its end (the kernel may still be
   running that dump on this socket). slot 0 reads page-sized parts (at most 8 KiB): the kernel
   sizes each next part of a dump to the longest read the socket has seen (netlink_recvmsg's
   max_recvmsg_len, capped at 32 KiB; never below NLMSG_GOODSIZE, under a page and 8 KiB), and a
   small part is cheaper to make, so a socket read only this way gets parts no longer than that. */
HIDDEN napi_value js_netlink_dumps(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int fd, slot;
  void *reqs, *outv; size_t rlen, olen, reslen;
  int32_t *res;
  addon *a;
  if (!get_args(env, info, 5, argv, &a) || !get_fd(env, a, argv[0], "netlink dump", &fd) || !get_buf(env, argv[1], &reqs, &rlen, 0) ||
      !get_buf(env, argv[2], &outv, &olen, 0) || !get_res(env, argv[3], &res, &reslen) || !get_int(env, argv[4], &slot)) return NULL;
  if ((slot = slot_size(slot)) < 0) { napi_throw_range_error(env, "EINVAL", "slot size out of range"); return NULL; }
  if (olen > INT32_MAX) { napi_throw_range_error(env, "EINVAL", "output buffer too large"); return NULL; }
  long n = count_requests(reqs, rlen);
  if (n < 0) { napi_throw_range_error(env, "EINVAL", "malformed request"); return NULL; }
  if (reslen < 2 * (size_t)n + 3) { napi_throw_range_error(env, "EINVAL", "result array too short"); return NULL; }
  if (*addon_dumps(a)) return throw_errno(env, "netlink dump", EBUSY); /* the dump thread owns the only dump of this addon */
  struct dump_run r = { fd, slot, reqs, (size_t)n, outv, olen, res, NULL, NULL };
  return num(env, (int)run_dumps(&r));
}

/* A dump thread: what it was given, what it has answered, and how it is stopped. */
struct dump_job {
  addon *a;
  struct dump_run run;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  size_t answered;  /* requests whose answers are whole (under mu) */
  size_t taken;     /* requests whose answers Take has copied out (the JS thread's own) */
  int finished;     /* under mu */
  int stop;         /* under mu: End asks the thread to send no more */
  int ended;        /* joined and its memory freed (the struct stays for the handle's finalizer) */
};

static int job_answered(void *ctx, size_t i) {
  struct dump_job *j = ctx;
  pthread_mutex_lock(&j->mu);
  j->answered = i + 1;
  int stop = j->stop;
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
  return stop;
}

static void *job_main(void *arg) {
  struct dump_job *j = arg;
  run_dumps(&j->run); /* answered is then its result: each request it counts was answered whole */
  pthread_mutex_lock(&j->mu);
  j->finished = 1;
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
  return NULL;
}

/* Stops the thread after its current dump and joins it. */
static void job_join(struct dump_job *j) {
  pthread_mutex_lock(&j->mu);
  j->stop = 1;
  pthread_mutex_unlock(&j->mu);
  pthread_join(j->thread, NULL);
}

/* Frees what a joined thread owned; the struct stays for the handle's finalizer. */
static void job_free(struct dump_job *j) {
  pthread_mutex_destroy(&j->mu);
  pthread_cond_destroy(&j->cv);
  free((void *)j->run.reqs);
  free(j->run.out);
  free(j->run.res);
  j->ended = 1;
  struct dump_job **slot = addon_dumps(j->a);
  if (*slot == j) *slot = NULL;
}

static void job_end(struct dump_job *j) {
  if (j->ended) return;
  job_join(j);
  job_free(j);
}

HIDDEN void dumps_stop_fd(addon *a, int fd) {
  struct dump_job *j = *addon_dumps(a);
  if (j && (fd < 0 || j->run.fd == fd)) job_end(j);
}

static void job_finalize(napi_env env, void *data, void *hint) {
  struct dump_job *j = data;
  job_end(j);
  free(j);
}

static struct dump_job *get_job(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) { napi_throw_type_error(env, "EINVAL", "expected a dump handle"); return NULL; }
  return data;
}

/* netlinkDumpsStart(fd, reqs, slot, size) -> handle. The dumps of netlinkDumps run in a thread of
   their own, into a buffer of `size` bytes the thread owns (a copy of reqs too); one at a time per
   addon (EBUSY), and none with netlinkDumps meanwhile. Take reads the answers as they are whole,
   End stops and joins the thread; closing the socket or the environment's teardown ends it too. */
HIDDEN napi_value js_netlink_dumps_start(napi_env env, napi_callback_info info) {
  napi_value argv[4], handle;
  int fd, slot, size;
  void *reqs; size_t rlen;
  addon *a;
  if (!get_args(env, info, 4, argv, &a) || !get_fd(env, a, argv[0], "netlink dump", &fd) || !get_buf(env, argv[1], &reqs, &rlen, 0) ||
      !get_int(env, argv[2], &slot) || !get_int(env, argv[3], &size)) return NULL;
  if ((slot = slot_size(slot)) < 0) { napi_throw_range_error(env, "EINVAL", "slot size out of range"); return NULL; }
  if (size < 0) { napi_throw_range_error(env, "EINVAL", "output size out of range"); return NULL; }
  long n = count_requests(reqs, rlen);
  if (n < 0) { napi_throw_range_error(env, "EINVAL", "malformed request"); return NULL; }
  if (*addon_dumps(a)) return throw_errno(env, "netlink dump", EBUSY);
  struct dump_job *j = calloc(1, sizeof *j);
  unsigned char *copy = malloc(rlen ? rlen : 1), *out = malloc(size ? (size_t)size : 1);
  int32_t *res = calloc(2 * (size_t)n + 3, sizeof *res);
  if (!j || !copy || !out || !res) { free(j); free(copy); free(out); free(res); return throw_errno(env, "netlink dump", ENOMEM); }
  memcpy(copy, reqs, rlen);
  j->a = a;
  j->run = (struct dump_run){ fd, slot, copy, (size_t)n, out, (size_t)size, res, job_answered, j };
  pthread_mutex_init(&j->mu, NULL);
  pthread_cond_init(&j->cv, NULL);
  int err = pthread_create(&j->thread, NULL, job_main, j);
  if (err) {
    pthread_mutex_destroy(&j->mu); pthread_cond_destroy(&j->cv);
    free(j); free(copy); free(out); free(res);
    return throw_errno(env, "netlink dump thread", err);
  }
  if (napi_create_external(env, j, job_finalize, NULL, &handle) != napi_ok) { job_end(j); free(j); return NULL; }
  *addon_dumps(a) = j;
  return handle;
}

/* netlinkDumpsTake(handle, upto, out, res) -> answered. Waits until `upto` requests are answered or
   the thread has finished, then copies every answer not yet taken into out (at least `size` bytes),
   at the offset the thread wrote it, and its offsets into res (2n + 3 entries, as netlinkDumps);
   returns how many are answered, fewer than `upto` only once the thread has finished (End then
   gives why); -1 once the job was ended by closing its socket. */
HIDDEN napi_value js_netlink_dumps_take(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int upto;
  void *outv; size_t olen, reslen;
  int32_t *res;
  addon *a;
  if (!get_args(env, info, 4, argv, &a) || !get_int(env, argv[1], &upto) || !get_buf(env, argv[2], &outv, &olen, 0) ||
      !get_res(env, argv[3], &res, &reslen)) return NULL;
  struct dump_job *j = get_job(env, argv[0]);
  if (!j) return NULL;
  if (j->ended) return num(env, -1); /* its socket was closed (by a callback of the caller's, say) */
  if (olen < j->run.olen || reslen < 2 * j->run.n + 3) { napi_throw_range_error(env, "EINVAL", "buffers too short"); return NULL; }
  pthread_mutex_lock(&j->mu);
  while (!j->finished && j->answered < (size_t)(upto < 0 ? 0 : upto)) pthread_cond_wait(&j->cv, &j->mu);
  size_t answered = j->answered;
  pthread_mutex_unlock(&j->mu);
  /* The thread wrote these answers and their offsets before it counted them under mu: they are whole. */
  if (answered > j->taken) {
    size_t from = (size_t)j->run.res[2 * j->taken], to = (size_t)j->run.res[2 * answered - 1];
    memcpy((unsigned char *)outv + from, j->run.out + from, to - from);
    memcpy(res + 2 * j->taken, j->run.res + 2 * j->taken, 2 * (answered - j->taken) * sizeof *res);
    j->taken = answered;
  }
  return num(env, (int)answered);
}

/* netlinkDumpsEnd(handle, res) -> ended here: stops the thread after the dump it is in, joins it and
   frees its memory; res (2n + 3 entries) then holds every offset and the three closing values, as
   after netlinkDumps. false (res untouched) for a job its socket's close had ended already. */
HIDDEN napi_value js_netlink_dumps_end(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t *res; size_t reslen;
  addon *a;
  if (!get_args(env, info, 2, argv, &a) || !get_res(env, argv[1], &res, &reslen)) return NULL;
  struct dump_job *j = get_job(env, argv[0]);
  napi_value ok;
  if (!j) return NULL;
  if (j->ended) { napi_get_boolean(env, 0, &ok); return ok; } /* ended by its socket's close: nothing to give */
  if (reslen < 2 * j->run.n + 3) { napi_throw_range_error(env, "EINVAL", "result array too short"); return NULL; }
  job_join(j);
  memcpy(res, j->run.res, (2 * j->run.n + 3) * sizeof *res);
  job_free(j);
  napi_get_boolean(env, 1, &ok);
  return ok;
}
