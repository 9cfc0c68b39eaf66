from artifactctl.cli.main import main

main()
