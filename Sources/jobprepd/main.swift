import Daemon
import Foundation

// The data directory holds a person's job search and network: files we create are private.
umask(0o077)
JobPrepCommand.main()
