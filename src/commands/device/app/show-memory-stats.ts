import {azColumns} from '../../../cli/output.js'
import {DeviceCommand} from '../../../cli/device-command.js'

/** As the device answers and azsphere prints it: the numbers wrapped in `memoryStats`. */
export interface MemoryStatsResult {
  memoryStats: {
    currentMemoryUsageInBytes: number
    peakUserModeMemoryUsageInBytes: number
    userModeMemoryUsageInBytes: number
  }
}

export default class AppShowMemoryStats extends DeviceCommand<MemoryStatsResult> {
  static override summary = 'Show memory statistics for applications on the attached device (bytes)'
  static override examples = ['<%= config.bin %> device app show-memory-stats -o table']
  static override columns = azColumns(
    'memoryStats.currentMemoryUsageInBytes',
    'memoryStats.peakUserModeMemoryUsageInBytes',
    'memoryStats.userModeMemoryUsageInBytes',
  )

  async execute(): Promise<MemoryStatsResult> {
    await this.parse(AppShowMemoryStats)
    const {memoryStats: m} = await (await this.client()).memoryStats()
    return {
      memoryStats: {
        currentMemoryUsageInBytes: m.currentMemoryUsageInBytes,
        peakUserModeMemoryUsageInBytes: m.peakUserModeMemoryUsageInBytes,
        userModeMemoryUsageInBytes: m.userModeMemoryUsageInBytes,
      },
    }
  }
}
