export { formatIndexRanges, formatPart, parsePart, partitionItems, shardFromEnvironment, type ItemWeight, type PartRef, type PartSource } from './partition.js';
export { itemsOfPart, readItemList, type ItemList } from './item-list.js';
