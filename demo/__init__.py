"""The demo programme: Northwind Retail, its three partners and a year of their data, built
by `manage.py seed_demo` so that the README's story holds whatever day it is seeded.

It stands on the top floor beside `home` (docs/ARCHITECTURE.md): it writes through every
app's models and services, and no app imports it.
"""
