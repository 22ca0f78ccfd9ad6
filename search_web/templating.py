"""The templates' Jinja environment, with attribute access that is quick on
the page dicts.

Templates read page dicts as ``item.toggle_url``; Jinja tries the attribute
first, so each read of a dict key raised and caught an AttributeError before
looking the key up: some 900 reads on a results page, a third of rendering it.
For a plain dict and a name that is not one of dict's own attributes, that
first try can only fail, so go straight to the key; the answer is the same
(the value, or Jinja's undefined), just without the exception.
"""
from __future__ import annotations

from flask.templating import Environment

_DICT_NAMES = frozenset(dir(dict))      # ``d.items`` is the method, as in Jinja


class PageEnvironment(Environment):
    """Jinja's environment, reading a page dict's keys before looking for attributes."""

    def getattr(self, obj, attribute):
        """``obj.attribute`` in a template: a dict's key first (a dict method's name stays the method)."""
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)
