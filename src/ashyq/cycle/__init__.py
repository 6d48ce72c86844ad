"""The evaluation cycle of seed 003: periods and deadlines, uploads, drafts, disputes,
publication and roadmaps."""
