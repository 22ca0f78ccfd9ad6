from .cli import main

# Guarded: the build's writer process (multiprocessing "spawn") imports the
# parent's __main__ module, which must not start the command line again.
if __name__ == "__main__":
    main(prog_name="python -m indexer")
