"""The evaluation cycle on the portal: periods and their deadlines, uploads of source
values, drafts, disputes and roadmaps, as pages of the workspace and as the JSON API,
side by side."""
