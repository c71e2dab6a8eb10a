import {DeviceCommand} from '../../../cli/device-command.js'

export interface MemoryStatsResult {
  currentMemoryUsageInBytes: number
  peakUserModeMemoryUsageInBytes: number
  userModeMemoryUsageInBytes: number
}

export default class AppShowMemoryStats extends DeviceCommand<MemoryStatsResult> {
  static override summary = 'Show memory statistics for applications on the attached device (bytes)'
  static override examples = ['<%= config.bin %> device app show-memory-stats -o table']
  static override columns = [
    {key: 'currentMemoryUsageInBytes', header: 'Current (B)'},
    {key: 'userModeMemoryUsageInBytes', header: 'User mode (B)'},
    {key: 'peakUserModeMemoryUsageInBytes', header: 'Peak user mode (B)'},
  ]

  async execute(): Promise<MemoryStatsResult> {
    await this.parse(AppShowMemoryStats)
    return (await (await this.client()).memoryStats()).memoryStats
  }
}
