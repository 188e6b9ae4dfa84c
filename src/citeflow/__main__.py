from citeflow.cli import main

main()
