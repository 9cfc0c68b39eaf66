"""The command line: typer + rich. Each module parses, calls one library function, renders."""
