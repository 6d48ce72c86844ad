"""Signing in and out (pages and API), and the workspace's front page."""
