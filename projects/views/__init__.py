"""Views of the projects app: pages.py reads (list, project page, print), entry.py writes
(forms for reports, projects, steps, evaluations), accounts.py is the staff home and account pages."""
