"""The widgets (ipywidgets 8): each one a model with traits whose view updates in place.

``GraphView``: a graph as an HTML widget holding an inline SVG. ``StepThrough``: a backward
pass node by node. ``Explorer``: sliders on a function's inputs. ``Dashboard``: a training
loop's loss, gradient norms and progress.
"""

from nbgrad.notebook.widgets.dashboard import Dashboard
from nbgrad.notebook.widgets.explorer import Explorer
from nbgrad.notebook.widgets.graph_view import GraphView
from nbgrad.notebook.widgets.stepper import StepThrough

__all__ = ["GraphView", "StepThrough", "Explorer", "Dashboard"]
