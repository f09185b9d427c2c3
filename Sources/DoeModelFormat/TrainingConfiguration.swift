import Foundation

/// How the learning rate changes over the epochs.
public enum LearningRateSchedule: String, Sendable, Codable, CaseIterable {
    /// Anneal to 1 % of the rate over the epochs along a half cosine.
    case cosine
    /// Halve the rate after `patience / 2` epochs without validation progress.
    case plateau
}

/// Settings of `doe train` (also read from `train.yaml`).
public struct TrainingConfiguration: Sendable, Equatable {
    /// Hidden layer widths, input side first.
    public var hidden: [Int] = [64, 64]
    /// Activation of the hidden layers.
    public var activation: Activation = .silu
    /// Maximum epochs per member.
    public var epochs: Int = 300
    /// Rows per minibatch.
    public var batchSize: Int = 256
    /// AdamW step size at the start.
    public var learningRate: Float = 3e-3
    /// AdamW decoupled weight decay.
    public var weightDecay: Float = 1e-4
    /// Learning-rate schedule.
    public var schedule: LearningRateSchedule = .cosine
    /// Fraction of the rows held out for early stopping.
    public var validationFraction: Double = 0.15
    /// Fraction of the rows held out for the reported test metrics.
    public var testFraction: Double = 0.15
    /// Early stopping: epochs without a better validation loss before stopping (0 = never).
    public var patience: Int = 40
    /// Number of independently seeded ensemble members.
    public var ensemble: Int = 1
    /// Energy fraction kept by the POD of field outputs.
    public var podEnergy: Double = 0.9999
    /// Per-output weights of the MSE (scalar outputs only; `nil` = equal).
    public var outputWeights: [Float]?
    /// Seed of the split, the initialization and the minibatch order.
    public var seed: UInt64 = 0
    /// Inputs the network sees as their natural logarithm (positive inputs spanning decades, like a radius from 100 to
    /// 50 000); empty = none.
    public var logInputs: [String] = []

    /// The default settings.
    public init() {}
}

/// One epoch's report (a row of `history.csv`).
public struct EpochReport: Sendable, Equatable {
    /// Ensemble member, from 0.
    public let member: Int
    /// Epoch, from 1.
    public let epoch: Int
    /// Mean training loss over the epoch (MSE of the standardized targets).
    public let trainLoss: Float
    /// Validation loss after the epoch (same units).
    public let validationLoss: Float
    /// Learning rate used in the epoch.
    public let learningRate: Float

    /// A report with these values.
    public init(member: Int, epoch: Int, trainLoss: Float, validationLoss: Float, learningRate: Float) {
        self.member = member
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.learningRate = learningRate
    }
}
