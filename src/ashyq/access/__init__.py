"""Who may do what on the portal, and the record of what was done.

Shared by every part of the portal that acts for a person (the evaluation cycle, the
real-time ratings, the administration): accounts and sign-in sessions (``accounts``), the
one table of roles and permissions (``roles``), the check every action starts with
(``checks.require``) and the audit log every change is written to (``audit.record``).
Each feature keeps its own actions and their checks of the same name beside them
(``ashyq.cycle.auth``, ``ashyq.ratings.auth``).
"""
