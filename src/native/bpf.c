// vipkeeper's socket addon, eBPF part: maps and socket-filter programs through bpf(2), so that a
// filter built in TypeScript (src/net/vrrp-filter.ts) can be loaded and attached with setsockopt
// SO_ATTACH_BPF, and its counters read. System calls only, like the rest of the addon.
#include "sock.h"
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The bpf(2) system call (no libc wrapper); fds it returns are close-on-exec. */
static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(__NR_bpf, cmd, attr, sizeof *attr);
}

/* bpfMapCreate(type, keySize, valueSize, maxEntries) -> fd */
HIDDEN napi_value js_bpf_map_create(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int type, ksize, vsize, max;
  addon *a;
  if (!get_args(env, info, 4, argv, &a) || !get_int(env, argv[0], &type) || !get_int(env, argv[1], &ksize) ||
      !get_int(env, argv[2], &vsize) || !get_int(env, argv[3], &max)) return NULL;
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_type = (unsigned)type; attr.key_size = (unsigned)ksize; attr.value_size = (unsigned)vsize; attr.max_entries = (unsigned)max;
  int fd = sys_bpf(BPF_MAP_CREATE, &attr);
  if (fd < 0) return throw_errno(env, "bpf(BPF_MAP_CREATE)", errno);
  return track_fd(env, a, fd, "bpf(BPF_MAP_CREATE)");
}

/* bpfProgLoad(type, insns, license) -> fd. A rejected program throws with the verifier's log
   (its last lines) in the message, so a wrong program is diagnosable from the error alone. */
HIDDEN napi_value js_bpf_prog_load(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int type;
  void *insns; size_t ilen;
  char license[64];
  size_t llen;
  addon *a;
  if (!get_args(env, info, 3, argv, &a) || !get_int(env, argv[0], &type) || !get_buf(env, argv[1], &insns, &ilen, 0)) return NULL;
  if (napi_get_value_string_utf8(env, argv[2], license, sizeof license, &llen) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "expected a license string");
    return NULL;
  }
  if (ilen == 0 || ilen % 8) { napi_throw_range_error(env, "EINVAL", "instructions must be 8-byte units"); return NULL; }
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = (unsigned)type;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.insn_cnt = (unsigned)(ilen / 8);
  attr.license = (uint64_t)(uintptr_t)license;
  int fd = sys_bpf(BPF_PROG_LOAD, &attr);
  if (fd < 0 && errno != EPERM && errno != ENOMEM) {
    /* Load again with the log on, only to explain the refusal (the verifier says why, not errno). */
    int first = errno;
    const size_t logsz = 1 << 20;
    char *log = calloc(1, logsz);
    if (!log) return throw_errno(env, "bpf(BPF_PROG_LOAD)", first);
    attr.log_buf = (uint64_t)(uintptr_t)log; attr.log_size = logsz; attr.log_level = 1;
    fd = sys_bpf(BPF_PROG_LOAD, &attr);
    if (fd >= 0) free(log);
    else {
      size_t n = strlen(log);
      const char *tail = n > 600 ? log + n - 600 : log;
      napi_value c, m, e;
      char msg[800];
      snprintf(msg, sizeof msg, "bpf(BPF_PROG_LOAD): %s (verifier: %s)", strerrorname_np(first) ? strerrorname_np(first) : "?", tail);
      napi_create_string_utf8(env, strerrorname_np(first) ? strerrorname_np(first) : "EINVAL", NAPI_AUTO_LENGTH, &c);
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
      free(log);
      napi_create_error(env, c, m, &e);
      napi_throw(env, e);
      return NULL;
    }
  }
  if (fd < 0) return throw_errno(env, "bpf(BPF_PROG_LOAD)", errno);
  return track_fd(env, a, fd, "bpf(BPF_PROG_LOAD)");
}

/* The map's key and value sizes, so that no call reads or writes past the caller's buffers. */
static int map_sizes(napi_env env, int fd, size_t klen, size_t vlen, const char *op) {
  struct bpf_map_info mi;
  union bpf_attr ia;
  memset(&mi, 0, sizeof mi); memset(&ia, 0, sizeof ia);
  ia.info.bpf_fd = (unsigned)fd; ia.info.info_len = sizeof mi; ia.info.info = (uint64_t)(uintptr_t)&mi;
  if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &ia) < 0) { throw_errno(env, op, errno); return 0; }
  if (klen < mi.key_size || vlen < mi.value_size) { napi_throw_range_error(env, "EINVAL", "key or value buffer shorter than the map's"); return 0; }
  return 1;
}

/* bpfMapUpdate(fd, key, value): create or replace (BPF_ANY). */
HIDDEN napi_value js_bpf_map_update(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd;
  void *key, *val; size_t klen, vlen;
  addon *a;
  const char *op = "bpf(BPF_MAP_UPDATE_ELEM)";
  if (!get_args(env, info, 3, argv, &a) || !get_fd(env, a, argv[0], op, &fd) ||
      !get_buf(env, argv[1], &key, &klen, 0) || !get_buf(env, argv[2], &val, &vlen, 0) || !map_sizes(env, fd, klen, vlen, op)) return NULL;
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_fd = (unsigned)fd; attr.key = (uint64_t)(uintptr_t)key; attr.value = (uint64_t)(uintptr_t)val; attr.flags = BPF_ANY;
  if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) < 0) return throw_errno(env, op, errno);
  return NULL;
}

/* bpfMapDelete(fd, key) -> whether the key existed. */
HIDDEN napi_value js_bpf_map_delete(napi_env env, napi_callback_info info) {
  napi_value argv[2], r;
  int fd;
  void *key; size_t klen;
  addon *a;
  const char *op = "bpf(BPF_MAP_DELETE_ELEM)";
  if (!get_args(env, info, 2, argv, &a) || !get_fd(env, a, argv[0], op, &fd) || !get_buf(env, argv[1], &key, &klen, 0) ||
      !map_sizes(env, fd, klen, (size_t)-1, op)) return NULL;
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_fd = (unsigned)fd; attr.key = (uint64_t)(uintptr_t)key;
  int rc = sys_bpf(BPF_MAP_DELETE_ELEM, &attr);
  if (rc < 0 && errno != ENOENT) return throw_errno(env, op, errno);
  napi_get_boolean(env, rc == 0, &r);
  return r;
}

/* bpfMapLookup(fd, key, value) -> whether the key exists; value receives it. */
HIDDEN napi_value js_bpf_map_lookup(napi_env env, napi_callback_info info) {
  napi_value argv[3], r;
  int fd;
  void *key, *val; size_t klen, vlen;
  addon *a;
  if (!get_args(env, info, 3, argv, &a) || !get_fd(env, a, argv[0], "bpf(BPF_MAP_LOOKUP_ELEM)", &fd) ||
      !get_buf(env, argv[1], &key, &klen, 0) || !get_buf(env, argv[2], &val, &vlen, 0)) return NULL;
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_fd = (unsigned)fd;
  attr.key = (uint64_t)(uintptr_t)key;
  attr.value = (uint64_t)(uintptr_t)val;
  if (!map_sizes(env, fd, klen, vlen, "bpf(BPF_MAP_LOOKUP_ELEM)")) return NULL;
  int rc = sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr);
  if (rc < 0 && errno != ENOENT) return throw_errno(env, "bpf(BPF_MAP_LOOKUP_ELEM)", errno);
  napi_get_boolean(env, rc == 0, &r);
  return r;
}

