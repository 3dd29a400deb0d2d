import Commands
import Foundation

exit(await FunctionsCommand.main(Array(CommandLine.arguments.dropFirst())))
