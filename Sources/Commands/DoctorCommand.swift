import Basics
import CommandLineKit
import Foundation
import LocalRuntime

/// `functions doctor`: checks the components the tool can use.
enum DoctorCommand {
  static func make() -> Command {
    Command(
      "doctor", abstract: "Check the programs functions uses and how to install missing ones.",
      discussion: "Exits with status 1 when a required component (python3 with venv and pip) is missing.",
      options: [.flag("json", help: "Print the checks as JSON.")],
      run: { parsed in try await run(parsed) })
  }

  static func run(_ parsed: ParsedCommand) async throws {
    let context = CommandContext(parsed: parsed)
    let checks = await Doctor(runner: context.runner, environment: context.environment).checkAll()
    if parsed.flag("json") {
      try printJSON(checks)
    } else {
      let color = context.outputColor(parsed)
      var text = ""
      for check in checks {
        let word = check.isAvailable ? "ok" : (check.isRequired ? "missing" : "unavailable")
        let padded = word.padding(toLength: 11, withPad: " ", startingAt: 0)
        let mark = color.paint(padded, check.isAvailable ? "32" : (check.isRequired ? "31" : "33"))
        text += "\(check.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(mark)  \(check.detail)\n"
        if !check.isAvailable {
          text += "         enables: \(check.purpose)\n         install: \(check.installHint)\n"
        }
      }
      StandardOutput.write(text)
    }
    if checks.contains(where: { $0.isRequired && !$0.isAvailable }) { throw ExitStatus(code: 1) }
  }
}
