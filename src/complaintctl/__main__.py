from complaintctl import main

main()
