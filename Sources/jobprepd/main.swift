import Daemon

JobPrepCommand.main()
