"""`python -m gradtutor` runs the same command as the `gradtutor` script."""

from gradtutor.cli import main

if __name__ == "__main__":
    main()
