"""Scenarios: a world and acts at fixed dates, with the outcomes the rules expect.

A scenario file (YAML; the format in docs/scenarios.md) describes agencies with their rule
profiles and supervisors, units, and people with roles and certificates, then acts: each at a
date and time, by a person (or `public`, `hotline`), calling a step registered on the kernel by
name. `spec` reads and checks a file, `play` builds the world and runs the acts through
`runner.run_step`, `scratch` keeps them in a database of their own. Steps are found through the
registry only, so the kernel knows no procedure app.
"""
