from spicetrader.cli.app import main

main()
