"""The filter language: parse once into terms, then match rows of the store on its columns.

parse_filter("name:openat,read -pid:12 err dur>1ms hostname") -> Filter
"""

from tracer.filter.parse import FilterError, parse_filter, without_invalid_terms
from tracer.filter.terms import Filter, prefer_refine

__all__ = ["Filter", "FilterError", "parse_filter", "prefer_refine", "without_invalid_terms"]
