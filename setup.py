"""The optional C capture core (see tracer/engine/capture_core.c).

`optional=True`: where no C compiler exists the install still succeeds and
tracetui runs its Python loop instead (`tracetui --version` says which).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "_tracetui_core",
            sources=["tracer/engine/capture_core.c"],
            extra_compile_args=["-O2", "-std=gnu11", "-pthread"],
            extra_link_args=["-pthread"],
            optional=True,
        )
    ]
)
