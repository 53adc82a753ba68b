/* scripts/asan.sh's proof that detection works: an addon with a deliberate one-byte heap overflow.
 * Built and loaded the same way as the real addon; the script fails unless ASan reports it. */
#include <node_api.h>
#include <stdlib.h>

static napi_value Overflow(napi_env env, napi_callback_info info) {
  (void)info;
  volatile char *p = malloc(8);
  p[8] = 1; /* heap-buffer-overflow */
  free((void *)p);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "overflow", NAPI_AUTO_LENGTH, Overflow, NULL, &fn);
  napi_set_named_property(env, exports, "overflow", fn);
  return exports;
}
