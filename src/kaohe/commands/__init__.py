"""The commands' work, one module per command: each reads its inputs, runs the core (scheme,
evidence, values, engine, outcomes) and hands the results to the reporters. Kept apart from
cli.py so that the library can run a command without typer; output goes through the `echo` and
`err` callables each is given."""
