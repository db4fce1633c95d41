from evidence.cli.app import main

main()
