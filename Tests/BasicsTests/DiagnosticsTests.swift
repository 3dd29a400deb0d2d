import Testing

@testable import Basics

/// Returns a printer that records what it writes, and a function that returns the record.
private func makeDiagnostics(
  verbosity: Verbosity = .normal, color: Bool = false, isInteractive: Bool = false
) -> (Diagnostics, () -> String) {
  let written = LockedValue("")
  let policy = ColorPolicy(isTerminal: color, environment: [:], noColorFlag: false)
  let diagnostics = Diagnostics(verbosity: verbosity, color: policy, isInteractive: isInteractive) { text in
    written.withLock { $0 += text }
  }
  return (diagnostics, { written.withLock { $0 } })
}

@Suite("Diagnostics")
struct DiagnosticsTests {
  @Test("prefixes without colour")
  func prefixes() {
    let (diagnostics, output) = makeDiagnostics()

    diagnostics.error("port 8080 is in use")
    diagnostics.warning("python3.12 was not found")
    diagnostics.note("using python3")
    diagnostics.status("Building hello")

    #expect(
      output()
        == "error: port 8080 is in use\nwarning: python3.12 was not found\nnote: using python3\nBuilding hello\n"
    )
  }

  @Test("quiet keeps only errors")
  func quiet() {
    let (diagnostics, output) = makeDiagnostics(verbosity: .quiet, isInteractive: true)

    diagnostics.warning("w")
    diagnostics.note("n")
    diagnostics.status("s")
    diagnostics.progress("p")
    diagnostics.debug("d")
    diagnostics.error("e")

    #expect(output() == "error: e\n")
  }

  @Test("debug only when verbose")
  func debug() {
    let (normal, normalOutput) = makeDiagnostics()
    let (verbose, verboseOutput) = makeDiagnostics(verbosity: .verbose)

    normal.debug("details")
    verbose.debug("details")

    #expect(normalOutput() == "")
    #expect(verboseOutput() == "debug: details\n")
  }

  @Test("progress only on a terminal")
  func progress() {
    let (piped, pipedOutput) = makeDiagnostics(isInteractive: false)
    let (interactive, interactiveOutput) = makeDiagnostics(isInteractive: true)

    piped.progress("Installing")
    interactive.progress("Installing")

    #expect(pipedOutput() == "")
    #expect(interactiveOutput() == "Installing\n")
  }

  @Test("coloured prefixes")
  func colouredPrefixes() {
    let (diagnostics, output) = makeDiagnostics(color: true)

    diagnostics.error("e")
    diagnostics.warning("w")

    #expect(output() == "\u{1B}[1;31merror:\u{1B}[0m e\n\u{1B}[1;33mwarning:\u{1B}[0m w\n")
  }
}
