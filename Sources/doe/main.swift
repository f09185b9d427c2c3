import DoeCLI

DoeCommand.start()
