"""Public monitoring of public services (seed 001): the survey answer as a record kind
(``model.py``), the registry of monitored bodies (``bodies.py``), survey statistics with
survey weights and the scale bands of the agency's report (``stats.py``), the figures of the
stored answers - rankings, changes, barriers, trend (``figures.py``) - and the published
figures (``published.py``)."""
