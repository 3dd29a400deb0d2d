/// Returns the candidate that `input` most likely misspells, or nil when no candidate is close.
///
/// A candidate matches when `input` is a prefix of it and of no other candidate. Otherwise the closest
/// candidate matches when its edit distance to `input` is at most 2 and less than the length of `input`,
/// so that a one- or two-letter word is not "corrected" to an unrelated one. Comparison ignores case.
/// Among candidates at the same distance, the first in `candidates` wins.
public func suggestion(for input: String, among candidates: [String]) -> String? {
  let word = input.lowercased()
  guard !word.isEmpty else {
    return nil
  }

  let prefixMatches = candidates.filter { $0.lowercased().hasPrefix(word) }
  if prefixMatches.count == 1 {
    return prefixMatches[0]
  }

  let maximumDistance = min(2, word.count - 1)
  var best: (candidate: String, distance: Int)?
  for candidate in candidates {
    let distance = editDistance(word, candidate.lowercased())
    if distance <= maximumDistance && distance < (best?.distance ?? Int.max) {
      best = (candidate, distance)
    }
  }
  return best?.candidate
}

/// Returns the optimal string alignment distance between two strings: the number of insertions,
/// deletions, substitutions and transpositions of adjacent characters that turn one into the other,
/// where no substring is edited twice. It is the restricted form of the Damerau-Levenshtein distance.
func editDistance(_ source: String, _ target: String) -> Int {
  let source = Array(source)
  let target = Array(target)
  if source.isEmpty || target.isEmpty {
    return max(source.count, target.count)
  }

  // distances[i][j] is the distance between the first i characters of source and the first j of target.
  var distances = [[Int]](repeating: [Int](repeating: 0, count: target.count + 1), count: source.count + 1)
  for i in 0...source.count {
    distances[i][0] = i
  }
  for j in 0...target.count {
    distances[0][j] = j
  }

  for i in 1...source.count {
    for j in 1...target.count {
      let substitutionCost = source[i - 1] == target[j - 1] ? 0 : 1
      var distance = min(
        distances[i - 1][j] + 1,
        distances[i][j - 1] + 1,
        distances[i - 1][j - 1] + substitutionCost
      )
      if i > 1 && j > 1 && source[i - 1] == target[j - 2] && source[i - 2] == target[j - 1] {
        distance = min(distance, distances[i - 2][j - 2] + 1)
      }
      distances[i][j] = distance
    }
  }
  return distances[source.count][target.count]
}
