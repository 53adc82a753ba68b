{
  "variables": {
    "build_deps_ok": "<!(sh src/native/check-build-deps.sh && echo yes)"
  },
  "targets": [
    {
      "target_name": "vipkeeper_sock",
      "sources": ["src/native/sock.c", "src/native/bpf.c", "src/native/repeat.c", "src/native/probe.c", "src/native/stream.c", "src/native/dumps.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
