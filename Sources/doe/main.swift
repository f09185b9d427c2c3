import DoeCLI

DoeCommand.main()
