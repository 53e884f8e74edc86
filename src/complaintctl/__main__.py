from complaintctl.cli import main

main()
