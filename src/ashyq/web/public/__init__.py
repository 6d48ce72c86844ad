"""The public side of the portal: the published results as pages, as the JSON API, as
open data and as reports, for citizens, journalists and everyone else."""
