from cvid.cli import main

main()
