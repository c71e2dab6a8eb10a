/** Network endpoints (device REST API §8): interfaces, status, firewall, proxy. */
import {route} from './spec.js'

export interface NetInterface {
  interfaceName: string
  interfaceUp: boolean
  connectedToNetwork: boolean
  ipAcquired: boolean
  connectedToInternet: boolean
  ipAddresses: string[]
  hardwareAddress?: string
  ipAssignment?: string
}

/**
 * Why `address` cannot be an interface's hardware (MAC) address, or undefined when it can: six hex bytes
 * separated by colons, neither multicast nor all zero. Both ends check it (update-interface).
 */
export function hardwareAddressProblem(address: unknown): string | undefined {
  if (typeof address !== 'string' || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/.test(address))
    return 'expected six hex bytes like aa:bb:33:dd:ee:ff'
  if ((parseInt(address.slice(0, 2), 16) & 1) === 1) return 'a multicast address cannot name one interface'
  if (/^(00:){5}00$/.test(address)) return 'the all-zero address cannot name an interface'
  return undefined
}

export interface ProxyConfig {
  enabled: boolean
  address: string
  port: number
  noProxyAddresses: string[]
  authenticationType: 'anonymous' | 'basic'
  username?: string
  password?: string
}

export interface FirewallRule {
  sourceIP?: string
  sourceMask?: string
  destinationIP?: string
  destinationMask?: string
  uid?: number
  action?: string
  interfaceInName?: string
  interfaceOutName?: string
  state?: string
  tcpMask?: number[]
  tcpCmp?: number[]
  tcpInv?: boolean
  protocol?: string
  sourcePortRange?: {min: number; max: number}
  destinationPortRange?: {min: number; max: number}
  packets?: number
  bytes?: number
}

export interface FirewallRuleset {
  hook: string
  isValid: boolean
  rules: FirewallRule[]
}

export const interfaces = route<undefined, {interfaces: NetInterface[]}>()({
  name: 'net.interfaces',
  method: 'GET',
  path: '/net/interfaces',
  summary: 'Every network interface',
})
export const netInterface = route<undefined, NetInterface>()({
  name: 'net.interface',
  method: 'GET',
  path: '/net/interfaces/{interfaceName}',
  summary: 'One network interface',
})
export const setNetInterface = route<{interfaceUp?: boolean; hardwareAddress?: string}>()({
  name: 'net.setInterface',
  method: 'PATCH',
  path: '/net/interfaces/{interfaceName}',
  request: 'json',
  summary: 'Bring an interface up or down, or set the MAC address of an Ethernet interface (hardwareAddress)',
})
export const netStatus = route<undefined, Record<string, unknown>>()({
  name: 'net.status',
  method: 'GET',
  path: '/net/status',
  summary: 'Network readiness and time sync',
})
export const firewall = route<undefined, {rulesets: FirewallRuleset[]}>()({
  name: 'net.firewall',
  method: 'GET',
  path: '/net/firewall/rulesets',
  summary: 'The firewall rule sets',
})
export const proxy = route<undefined, ProxyConfig | Record<string, never>>()({
  name: 'net.proxy',
  method: 'GET',
  path: '/net/proxy',
  summary: 'The proxy configuration ({} when none)',
})
export const setProxy = route<Partial<ProxyConfig>, ProxyConfig>()({
  name: 'net.setProxy',
  method: 'POST',
  path: '/net/proxy',
  request: 'json',
  summary: 'Configure the proxy',
})
export const deleteProxy = route()({
  name: 'net.deleteProxy',
  method: 'DELETE',
  path: '/net/proxy',
  summary: 'Remove the proxy configuration',
})
