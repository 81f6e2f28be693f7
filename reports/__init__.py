"""Pure renderers: result models (JSON-able) to self-contained HTML and Markdown.

Importing this package registers the stages' HTML renderers for inline notebook display
(`reports.show(result)`, or just the result as a cell's last expression).
"""

from reports.display import register_renderers, show

register_renderers()

__all__ = ["show"]
