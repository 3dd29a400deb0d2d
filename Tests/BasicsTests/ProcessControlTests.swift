import Foundation
import Testing

@testable import Basics

#if canImport(Glibc)
  import Glibc
#endif

private let hostEnvironment = ProcessInfo.processInfo.environment

@Suite("ProcessControl", .timeLimit(.minutes(1)))
struct ProcessControlTests {
  @Test("this process is alive")
  func selfIsAlive() {
    #expect(ProcessControl.isAlive(getpid()))
    #expect(ProcessControl.startTime(of: getpid()) != nil)
    #expect(ProcessControl.isSameProcess(getpid(), startTime: ProcessControl.startTime(of: getpid())))
  }

  @Test("invalid PIDs are not alive", arguments: [0, -1] as [pid_t])
  func invalidPIDs(pid: pid_t) {
    #expect(!ProcessControl.isAlive(pid))
  }

  @Test("zombie is not alive")
  func zombieIsNotAlive() throws {
    try ScratchDirectory.with { directory in
      let pid = try ProcessRunner().start(
        ProcessSpec(
          executable: "true", arguments: [], environment: hostEnvironment,
          output: .appendToFile("\(directory)/true.log")))
      defer { _ = ProcessRunner.wait(for: pid) }

      // Until it is reaped, the exited child stays in the process table as a zombie.
      var info = siginfo_t()
      _ = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)

      #expect(!ProcessControl.isAlive(pid))
    }
  }

  @Test("group signalled and gone")
  func groupSignalled() throws {
    try ScratchDirectory.with { directory in
      let pid = try ProcessRunner().start(
        ProcessSpec(
          executable: "sleep", arguments: ["5"], environment: hostEnvironment,
          output: .appendToFile("\(directory)/sleep.log"), startsNewSession: true))

      #expect(ProcessControl.groupExists(pid))
      #expect(ProcessControl.signalGroup(pid, SIGKILL))
      #expect(ProcessRunner.wait(for: pid) == .signalled(SIGKILL))
      #expect(!ProcessControl.groupExists(pid))
    }
  }

  @Test("groups 0 and 1 are never signalled", arguments: [0, 1] as [pid_t])
  func reservedGroups(group: pid_t) {
    #expect(!ProcessControl.signalGroup(group, 0))
    #expect(!ProcessControl.groupExists(group))
  }
}
