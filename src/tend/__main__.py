from tend.cli import main

main()
