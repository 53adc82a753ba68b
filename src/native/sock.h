// Shared by the addon's C files: the per-environment state (opaque here), argument helpers that
// throw JS errors named after errno, and the functions each file exports to init().
#ifndef VIPKEEPER_SOCK_H
#define VIPKEEPER_SOCK_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <node_api.h>

#define HIDDEN __attribute__((visibility("hidden")))
#define RECV_BUF (256 * 1024) /* netlink dumps send up to 32 KiB; raw IP up to 64 KiB */
#define CALL(x) do { if ((x) != napi_ok) return NULL; } while (0)

typedef struct addon addon;

HIDDEN napi_value throw_errno(napi_env env, const char *op, int err);
HIDDEN int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, addon **a);
HIDDEN int get_int(napi_env env, napi_value v, int *out);
/* A Buffer argument; null/undefined gives len 0 when optional. */
HIDDEN int get_buf(napi_env env, napi_value v, void **data, size_t *len, int optional);
/* The fd argument, checked against the fds this addon has open. */
HIDDEN int get_fd(napi_env env, addon *a, napi_value v, const char *op, int *fd);
HIDDEN napi_value num(napi_env env, int v);
/* Records a new fd as this addon's (close, teardown and the fd checks know it). */
HIDDEN napi_value track_fd(napi_env env, addon *a, int fd, const char *op);

/* bpf.c */
HIDDEN napi_value js_bpf_map_create(napi_env env, napi_callback_info info);
HIDDEN napi_value js_bpf_prog_load(napi_env env, napi_callback_info info);
HIDDEN napi_value js_bpf_map_lookup(napi_env env, napi_callback_info info);
HIDDEN napi_value js_bpf_map_update(napi_env env, napi_callback_info info);
HIDDEN napi_value js_bpf_map_delete(napi_env env, napi_callback_info info);

/* Handles other files open on the loop: counted so teardown frees the addon after their closes. */
HIDDEN void addon_handle_closing(addon *a);
HIDDEN void addon_handle_closed(addon *a);

/* repeat.c */
struct repeaters;
HIDDEN struct repeaters **addon_repeaters(addon *a);
HIDDEN napi_value js_repeat_start(napi_env env, napi_callback_info info);
HIDDEN napi_value js_repeat_stop(napi_env env, napi_callback_info info);
HIDDEN napi_value js_repeat_counts(napi_env env, napi_callback_info info);
HIDDEN napi_value js_repeat_lease(napi_env env, napi_callback_info info);
HIDDEN napi_value js_quiet_start(napi_env env, napi_callback_info info);
HIDDEN napi_value js_quiet_stop(napi_env env, napi_callback_info info);
HIDDEN void repeat_stop_fd(addon *a, int fd); /* the repeaters on socket fd and the watches on map fd; fd < 0: all */

/* dumps.c: netlink dumps read inline, in this thread or in a thread of their own */
struct dump_job;
HIDDEN struct dump_job **addon_dumps(addon *a);
HIDDEN napi_value js_netlink_dumps(napi_env env, napi_callback_info info);
HIDDEN napi_value js_netlink_dumps_start(napi_env env, napi_callback_info info);
HIDDEN napi_value js_netlink_dumps_take(napi_env env, napi_callback_info info);
HIDDEN napi_value js_netlink_dumps_end(napi_env env, napi_callback_info info);
HIDDEN void dumps_stop_fd(addon *a, int fd); /* ends the dump thread on socket fd; fd < 0: any */

/* probe.c: batched TCP connect probes and HTTP exchanges */
HIDDEN napi_value js_probe_open(napi_env env, napi_callback_info info);
HIDDEN napi_value js_probe_connect(napi_env env, napi_callback_info info);
HIDDEN napi_value js_probe_abort(napi_env env, napi_callback_info info);
HIDDEN napi_value js_probe_pending(napi_env env, napi_callback_info info);
HIDDEN napi_value js_probe_close(napi_env env, napi_callback_info info);
HIDDEN napi_value js_probe_exchange(napi_env env, napi_callback_info info);
HIDDEN napi_value js_probe_take(napi_env env, napi_callback_info info);

/* stream.c: Unix stream sockets (the control socket) */
HIDDEN napi_value js_listen(napi_env env, napi_callback_info info);
HIDDEN napi_value js_accept(napi_env env, napi_callback_info info);
HIDDEN napi_value js_connect(napi_env env, napi_callback_info info);
HIDDEN napi_value js_read(napi_env env, napi_callback_info info);
HIDDEN napi_value js_write(napi_env env, napi_callback_info info);
HIDDEN napi_value js_shutdown_write(napi_env env, napi_callback_info info);

#endif
