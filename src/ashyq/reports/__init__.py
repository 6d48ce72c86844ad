"""The agency's documents, generated from the data: the annual Openness Index report, body
scorecards and the violations compendium, in Russian, Kazakh and English.

A builder (``openness/``, ``scorecard.py``, ``compendium/``) turns results into a
:class:`~ashyq.reports.model.Report`, a tree of headings, paragraphs, tables and charts
that knows nothing of file formats; a renderer (``render/``) turns a report into the bytes
of one format. A new format is a new renderer.
"""
