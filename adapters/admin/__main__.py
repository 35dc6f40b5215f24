from adapters.admin.cli import main

# The guard matters: argon2's worker processes import the main module again.
if __name__ == "__main__":
    main()
