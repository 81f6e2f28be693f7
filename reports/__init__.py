"""Pure renderers: result models (JSON-able) to self-contained HTML and Markdown."""
