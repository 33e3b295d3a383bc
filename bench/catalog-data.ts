// A synthetic platform catalog on the real taxonomy (学段 › 年级 › 学科 › 版本 ›
// 册次 › 单元 › 课时), deterministic so every run measures the same thing. Shared
// by the search and catalog-sync benchmarks.
import { sha256Hex } from '../main/feed/keys';
import type { ShardNode, ShardResource } from '../main/feed/schema';

export const FEED = 'bench';
const PER_LESSON = 5;

// Deterministic PRNG (mulberry32) so every run measures the same catalog and queries.
let seed = 20240901;
export function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
export const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
export function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
export const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

// ---------------------------------------------------------------------------
// Catalog

export interface Catalog {
  nodes: { id: string; parent: string | null; kind: string; title: string; ord: number }[];
  resources: { id: string; node: string; shard: string; type: string; title: string; ord: number }[];
}

export function generate(target = Number(process.env.BENCH_RESOURCES ?? 150_000)): Catalog {
  const cat: Catalog = { nodes: [], resources: [] };
  let nid = 0;
  const node = (parent: string | null, kind: string, title: string, ord: number) => {
    const id = `${FEED}/n${++nid}`;
    cat.nodes.push({ id, parent, kind, title, ord });
    return id;
  };
  const volumes: { id: string; subject: string; edition: number; shard: string }[] = [];
  STAGES.forEach((stage, si) => {
    const s = node(null, 'stage', stage.title, si);
    stage.grades.forEach((grade, gi) => {
      const g = node(s, 'grade', grade, gi);
      SUBJECTS[stage.title]!.forEach((subject, ji) => {
        const j = node(g, 'subject', subject, ji);
        EDITIONS.forEach((edition, ei) => {
          const e = node(j, 'edition', edition, ei);
          VOLUMES.forEach((volume, vi) => {
            const v = node(e, 'volume', grade + volume, vi);
            volumes.push({ id: v, subject, edition: ei, shard: `${subject}/${edition}/${grade}${volume}.json` });
          });
        });
      });
    });
  });
  // Lessons: spread the target over the volumes, 6-8 units each, titles drawn in
  // textbook order from the subject's list so editions and grades repeat them.
  const lessonsPerVolume = target / PER_LESSON / volumes.length;
  let rid = 0;
  for (const vol of volumes) {
    const vocab = LESSONS[vol.subject]!;
    const units = between(6, 8);
    let remaining = Math.round(lessonsPerVolume * (0.85 + rand() * 0.3));
    let cursor = Math.floor(rand() * vocab.length);
    let lessonNo = 0;
    for (let u = 0; u < units && remaining > 0; u++) {
      const unit = node(vol.id, 'unit', `第${UNIT_NUMBERS[u]}单元${pick(UNIT_THEMES)}`, u);
      const count = u === units - 1 ? remaining : Math.min(remaining, Math.round(lessonsPerVolume / units));
      remaining -= count;
      for (let l = 0; l < count; l++) {
        const title = vocab[cursor++ % vocab.length]!;
        // Editions number their lessons differently ("3 春", "第3课 春", "春"), and
        // resource titles sometimes carry the number, so distinct titles multiply.
        lessonNo++;
        const numbered = [`${lessonNo} ${title}`, title, `第${lessonNo}课 ${title}`, title][vol.edition]!;
        const lesson = node(unit, 'lesson', numbered, l);
        const suffixes = shuffle([...RESOURCE_SUFFIXES]).slice(0, PER_LESSON);
        suffixes.forEach((suffix, ord) => {
          const base = rand() < 0.5 ? numbered : title;
          cat.resources.push({ id: `${FEED}/r${++rid}`, node: lesson, shard: vol.shard, type: pick(TYPES), title: base + suffix, ord });
        });
      }
    }
  }
  return cat;
}

/** One shard per volume, each carrying the path of its resources, as writeFeed takes them. */
export function catalogShards(cat: Catalog): { path: string; nodes: ShardNode[]; resources: ShardResource[] }[] {
  const local = (id: string) => id.slice(FEED.length + 1);
  const byId = new Map(cat.nodes.map((n) => [n.id, n]));
  const shards = new Map<string, { nodes: Map<string, ShardNode>; resources: ShardResource[] }>();
  for (const r of cat.resources) {
    let shard = shards.get(r.shard);
    if (!shard) shards.set(r.shard, (shard = { nodes: new Map(), resources: [] }));
    shard.resources.push({
      id: local(r.id),
      node: local(r.node),
      type: r.type as ShardResource['type'],
      title: r.title,
      files: [{ role: 'main', sha256: sha256Hex(r.id), size: 42_194_437, mime: 'video/mp4', height: 720 }],
    });
    for (let n = byId.get(r.node); n && !shard.nodes.has(n.id); n = n.parent ? byId.get(n.parent) : undefined) {
      shard.nodes.set(n.id, { id: local(n.id), parent: n.parent ? local(n.parent) : null, kind: n.kind as ShardNode['kind'], title: n.title, order: n.ord });
    }
  }
  return [...shards.values()].map((s, i) => ({ path: `shards/v${i}.json`, nodes: [...s.nodes.values()], resources: s.resources }));
}

const TYPES = ['video', 'pdf', 'document', 'exercise', 'audio', 'image'] as const;

// ---------------------------------------------------------------------------
// Vocabulary: real-sounding textbook titles. Real catalogs repeat titles a lot (the
// same lesson in several editions and volumes), so the generator draws with repetition.

const STAGES = [
  { title: '小学', grades: ['一年级', '二年级', '三年级', '四年级', '五年级', '六年级'] },
  { title: '初中', grades: ['七年级', '八年级', '九年级'] },
] as const;

const SUBJECTS: Record<string, readonly string[]> = {
  小学: ['语文', '数学', '英语', '道德与法治', '科学', '音乐', '美术', '体育与健康'],
  初中: ['语文', '数学', '英语', '物理', '化学', '生物学', '历史', '地理', '道德与法治'],
};

const EDITIONS = ['统编版', '人教版', '北师大版', '苏教版'] as const;
const VOLUMES = ['上册', '下册'] as const;
const UNIT_NUMBERS = ['一', '二', '三', '四', '五', '六', '七', '八'] as const;

/** Suffixes that turn a lesson title into resource titles. */
const RESOURCE_SUFFIXES = [
  '（第一课时）',
  '（第二课时）',
  '（第三课时）',
  ' 课件',
  ' 学习任务单',
  ' 课后练习',
  ' 教学设计',
  ' 微课视频',
  ' 朗读音频',
  ' 板书设计',
  ' 同步练习',
  ' 知识点梳理',
] as const;

const LESSONS: Record<string, readonly string[]> = {
  语文: [
    '春夜喜雨', '春', '济南的冬天', '雨的四季', '古代诗歌四首', '秋天的怀念', '散步', '散文诗二首', '从百草园到三味书屋',
    '再塑生命的人', '论语十二章', '植树的牧羊人', '走一步，再走一步', '猫', '动物笑谈', '狼', '皇帝的新装', '天上的街市',
    '女娲造人', '寓言四则', '邓稼先', '说和做', '回忆鲁迅先生', '孙权劝学', '黄河颂', '最后一课', '木兰诗', '老山界',
    '紫藤萝瀑布', '一棵小桃树', '陋室铭', '爱莲说', '背影', '白杨礼赞', '昆明的雨', '三峡', '答谢中书书', '记承天寺夜游',
    '桃花源记', '小石潭记', '核舟记', '安塞腰鼓', '灯笼', '大自然的语言', '阿西莫夫短文两篇', '壶口瀑布', '在长江源头各拉丹东',
    '沁园春·雪', '我爱这土地', '乡愁', '周总理，你在哪里', '故乡', '我的叔叔于勒', '孤独之旅', '智取生辰纲', '范进中举',
    '岳阳楼记', '醉翁亭记', '湖心亭看雪', '出师表', '鱼我所欲也', '送东阳马生序', '小蝌蚪找妈妈', '我是什么', '植物妈妈有办法',
    '曹冲称象', '玲玲的画', '一封信', '妈妈睡了', '坐井观天', '寒号鸟', '我要的是葫芦', '静夜思', '夜色', '端午粽',
    '彩虹', '咏鹅', '画', '小小的船', '江南', '四季', '乌鸦喝水', '司马光', '夜书所见', '望天门山', '饮湖上初晴后雨',
    '望洞庭', '富饶的西沙群岛', '海滨小城', '美丽的小兴安岭', '大青树下的小学', '花的学校', '不懂就要问', '铺满金色巴掌的水泥道',
    '秋天的雨', '听听，秋的声音', '去年的树', '那一定会很好', '在牛肚子里旅行', '一块奶酪', '总也倒不了的老屋', '胡萝卜先生的长胡子',
    '小狗学叫', '观潮', '走月亮', '繁星', '爬山虎的脚', '蟋蟀的住宅', '盘古开天地', '精卫填海', '普罗米修斯', '女娲补天',
    '白鹅', '猫', '母鸡', '麻雀', '牛和鹅', '延安，我把你追寻', '王戎不取道旁李', '西门豹治邺', '扁鹊治病', '纪昌学射',
    '白鹭', '落花生', '桂花雨', '珍珠鸟', '搭石', '将相和', '什么比猎豹的速度更快', '冀中的地道战', '猎人海力布', '牛郎织女',
    '少年中国说', '圆明园的毁灭', '小岛', '四季之美', '鸟的天堂', '月迹', '父爱之舟', '慈母情深', '草船借箭', '景阳冈',
    '猴王出世', '红楼春趣', '草原', '丁香结', '古诗词三首', '花之歌', '狼牙山五壮士', '开国大典', '灯光', '我的战友邱少云',
    '竹节人', '宇宙生命之谜', '故宫博物院', '少年闰土', '好的故事', '我的伯父鲁迅先生', '有的人', '北京的春节', '腊八粥',
    '藏戏', '鲁滨逊漂流记', '骑鹅旅行记', '汤姆·索亚历险记', '匆匆', '那个星期天', '十六年前的回忆', '为人民服务', '董存瑞舍身炸暗堡',
    '学弈', '两小儿辩日', '真理诞生于一百个问号之后', '表里的生物', '他们那时候多有趣啊', '口语交际：辩论', '习作：我的拿手好戏',
    '语文园地一', '语文园地二', '语文园地三', '语文园地四', '快乐读书吧', '日积月累', '识字 天地人', '识字 金木水火土',
    '拼音 a o e', '拼音 b p m f', '拼音 zh ch sh r', '汉语拼音复习',
  ],
  数学: [
    '准备课', '位置', '1~5的认识和加减法', '认识图形（一）', '6~10的认识和加减法', '11~20各数的认识', '认识钟表', '20以内的进位加法',
    '认识图形（二）', '20以内的退位减法', '分类与整理', '100以内数的认识', '认识人民币', '100以内的加法和减法（一）',
    '找规律', '长度单位', '100以内的加法和减法（二）', '角的初步认识', '表内乘法（一）', '观察物体', '表内乘法（二）',
    '认识时间', '数学广角——搭配', '数据收集整理', '表内除法（一）', '图形的运动（一）', '表内除法（二）', '混合运算',
    '有余数的除法', '万以内数的认识', '克和千克', '数学广角——推理', '时、分、秒', '万以内的加法和减法', '测量',
    '多位数乘一位数', '长方形和正方形', '分数的初步认识', '数学广角——集合', '位置与方向（一）', '除数是一位数的除法',
    '复式统计表', '两位数乘两位数', '面积', '年、月、日', '小数的初步认识', '数学广角——搭配（二）', '大数的认识',
    '公顷和平方千米', '角的度量', '三位数乘两位数', '平行四边形和梯形', '除数是两位数的除法', '条形统计图', '数学广角——优化',
    '四则运算', '观察物体（二）', '运算定律', '小数的意义和性质', '三角形', '三角形的内角和', '小数的加法和减法', '图形的运动（二）',
    '平均数与条形统计图', '数学广角——鸡兔同笼', '小数乘法', '位置', '小数除法', '可能性', '简易方程', '多边形的面积',
    '数学广角——植树问题', '因数与倍数', '长方体和正方体', '分数的意义和性质', '分数的加法和减法', '折线统计图',
    '数学广角——找次品', '分数乘法', '位置与方向（二）', '分数除法', '比', '圆', '扇形统计图', '百分数（一）', '百分数（二）',
    '负数', '圆柱与圆锥', '比例', '鸽巢问题', '有理数', '整式的加减', '一元一次方程', '几何图形初步', '相交线与平行线',
    '实数', '平面直角坐标系', '二元一次方程组', '不等式与不等式组', '数据的收集、整理与描述', '全等三角形', '轴对称',
    '整式的乘法与因式分解', '分式', '二次根式', '勾股定理', '平行四边形', '一次函数', '数据的分析', '一元二次方程',
    '二次函数', '旋转', '圆的认识', '概率初步', '反比例函数', '相似', '锐角三角函数', '投影与视图', '勾股定理的逆定理',
  ],
  英语: [
    'Unit 1 Hello', 'Unit 2 Colours', 'Unit 3 Look at me', 'Unit 4 We love animals', 'Unit 5 Let’s eat', 'Unit 6 Happy birthday',
    'Unit 1 Welcome back to school', 'Unit 2 My family', 'Unit 3 At the zoo', 'Unit 4 Where is my car', 'Unit 5 Do you like pears',
    'Unit 6 How many', 'Unit 1 My classroom', 'Unit 2 My schoolbag', 'Unit 3 My friends', 'Unit 4 My home', 'Unit 5 Dinner’s ready',
    'Unit 6 Meet my family', 'Unit 1 My school', 'Unit 2 What time is it', 'Unit 3 Weather', 'Unit 4 At the farm',
    'Unit 5 My clothes', 'Unit 6 Shopping', 'Unit 1 What’s he like', 'Unit 2 My week', 'Unit 3 What would you like',
    'Unit 4 What can you do', 'Unit 5 There is a big bed', 'Unit 6 In a nature park', 'Unit 1 How can I get there',
    'Unit 2 Ways to go to school', 'Unit 3 My weekend plan', 'Unit 4 I have a pen pal', 'Unit 5 What does he do',
    'Unit 6 How do you feel', 'Starter Unit 1 Good morning', 'Starter Unit 2 What’s this in English', 'Unit 1 My name’s Gina',
    'Unit 2 This is my sister', 'Unit 3 Is this your pencil', 'Unit 4 Where’s my schoolbag', 'Unit 5 Do you have a soccer ball',
    'Unit 6 Do you like bananas', 'Unit 7 How much are these socks', 'Unit 8 When is your birthday', 'Unit 9 My favorite subject is science',
    'Unit 1 Where did you go on vacation', 'Unit 2 How often do you exercise', 'Unit 3 I’m more outgoing than my sister',
    'Module 1 My classmates', 'Module 2 My family', 'Module 3 My school', 'Review Module', 'Reading: A Visit to the Museum',
  ],
  物理: [
    '机械运动', '长度和时间的测量', '运动的描述', '运动的快慢', '测量平均速度', '声现象', '声音的产生与传播', '声音的特性',
    '声的利用', '噪声的危害和控制', '物态变化', '温度', '熔化和凝固', '汽化和液化', '升华和凝华', '光现象', '光的直线传播',
    '光的反射', '平面镜成像', '光的折射', '光的色散', '透镜及其应用', '凸透镜成像的规律', '眼睛和眼镜', '质量与密度',
    '测量物质的密度', '力', '弹力', '重力', '运动和力', '牛顿第一定律', '二力平衡', '摩擦力', '压强', '液体的压强',
    '大气压强', '流体压强与流速的关系', '浮力', '阿基米德原理', '物体的浮沉条件及应用', '功和机械能', '功率', '动能和势能',
    '简单机械', '杠杆', '滑轮', '机械效率', '内能', '比热容', '热机', '电流和电路', '串联和并联', '电压 电阻', '欧姆定律',
    '电功率', '焦耳定律', '生活用电', '电与磁', '电动机', '磁生电', '信息的传递', '能源与可持续发展',
  ],
  化学: [
    '物质的变化和性质', '化学是一门以实验为基础的科学', '走进化学实验室', '我们周围的空气', '氧气', '制取氧气', '物质构成的奥秘',
    '分子和原子', '原子的结构', '元素', '自然界的水', '爱护水资源', '水的净化', '化学式与化合价', '化学方程式', '质量守恒定律',
    '利用化学方程式的简单计算', '碳和碳的氧化物', '金刚石、石墨和C60', '二氧化碳制取的研究', '燃料及其利用', '燃烧和灭火',
    '金属和金属材料', '金属的化学性质', '金属资源的利用和保护', '溶液', '溶解度', '溶液的浓度', '酸和碱', '常见的酸和碱',
    '中和反应', '盐 化肥', '生活中常见的盐', '化学与生活', '人类重要的营养物质', '化学元素与人体健康', '有机合成材料',
  ],
  生物学: [
    '认识生物', '生物的特征', '生物与环境', '生态系统', '生物圈是最大的生态系统', '练习使用显微镜', '观察细胞', '植物细胞',
    '动物细胞', '细胞的生活', '细胞怎样构成生物体', '单细胞生物', '藻类、苔藓和蕨类植物', '种子植物', '种子的萌发',
    '植株的生长', '开花和结果', '绿色植物与生物圈的水循环', '光合作用', '呼吸作用', '人的由来', '人体的营养', '消化和吸收',
    '合理营养与食品安全', '人体的呼吸', '血液', '血管', '输送血液的泵——心脏', '人体内废物的排出', '神经系统的组成',
    '激素调节', '动物的运动', '社会行为', '细菌', '真菌', '病毒', '植物的生殖', '昆虫的生殖和发育', '基因控制生物的性状',
    '生物的进化', '传染病及其预防', '免疫与计划免疫',
  ],
  历史: [
    '中国境内早期人类的代表——北京人', '原始农耕生活', '远古的传说', '夏商周的更替', '青铜器与甲骨文', '动荡的春秋时期',
    '战国时期的社会变化', '百家争鸣', '秦统一中国', '秦末农民大起义', '西汉建立和“文景之治”', '汉武帝巩固大一统王朝',
    '东汉的兴衰', '沟通中外文明的“丝绸之路”', '三国鼎立', '西晋的短暂统一和北方各族的内迁', '东晋南朝时期江南地区的开发',
    '北魏政治和北方民族大交融', '隋朝的统一与灭亡', '从“贞观之治”到“开元盛世”', '唐朝的中外文化交流', '安史之乱与唐朝衰亡',
    '辽、西夏与北宋的并立', '金与南宋的对峙', '宋代经济的发展', '元朝的建立与统一', '明朝的统治', '明朝的对外关系',
    '清朝前期社会经济的发展', '鸦片战争', '第二次鸦片战争', '太平天国运动', '洋务运动', '甲午中日战争', '戊戌变法',
    '辛亥革命', '五四运动', '中国共产党诞生', '红军长征', '抗日战争的胜利', '中华人民共和国成立', '改革开放',
    '古代埃及', '古代两河流域', '古代印度', '希腊城邦和亚历山大帝国', '罗马城邦和罗马帝国', '文艺复兴运动', '新航路的开辟',
  ],
  地理: [
    '地球和地球仪', '地球的运动', '地图的阅读', '地形图的判读', '大洲和大洋', '海陆的变迁', '多变的天气', '气温的变化与分布',
    '降水的变化与分布', '世界的气候', '人口与人种', '语言和宗教', '人类的聚居地——聚落', '发展与合作', '中国的疆域',
    '中国的人口', '中国的民族', '地形和地势', '气候', '河流', '自然灾害', '自然资源的基本特征', '土地资源', '水资源',
    '农业', '工业', '交通运输', '北方地区的自然特征与农业', '黄土高原', '长江三角洲地区', '香港和澳门', '台湾省',
    '西北地区', '青藏地区', '亚洲', '日本', '东南亚', '印度', '俄罗斯', '中东', '欧洲西部', '撒哈拉以南的非洲', '澳大利亚',
    '美国', '巴西', '极地地区',
  ],
  道德与法治: [
    '我上学了', '校园里的号令', '我们的校园', '上学路上', '吃饭有讲究', '我们爱整洁', '我是一张纸', '我们的公共生活',
    '我爱我家', '我的家庭贡献与责任', '安全记心上', '我们班四岁了', '我们的班规我们订', '主动拒绝烟酒与毒品',
    '中学时代', '少年有梦', '学习伴成长', '享受学习', '友谊与成长同行', '和朋友在一起', '师生之间', '亲情之爱',
    '生命可以永恒吗', '珍视生命', '青春的邀约', '青春的心弦', '做情绪情感的主人', '走进法治天地', '丰富的社会生活',
    '在社会中成长', '遵守社会规则', '尊重他人', '以礼待人', '诚实守信', '勇担社会责任', '维护国家利益', '建设美好祖国',
    '坚持宪法至上', '理解权利义务', '人民当家作主', '崇尚法治精神', '富强与创新', '民主与法治', '文明与家园', '和谐与梦想',
  ],
  科学: [
    '植物', '我们知道的植物', '观察一棵植物', '观察叶', '比较与测量', '动物', '校园里的动物', '蜗牛', '我们自己',
    '我们周围的材料', '磁铁', '水', '空气', '天气', '观察与测量天气', '植物的生长变化', '动物的一生', '太阳、地球和月球',
    '声音', '呼吸与消化', '运动和力', '电路', '岩石与土壤', '生物与环境', '光', '地球表面的变化', '热', '计量时间',
    '船的研究', '环境与我们', '工具与技术', '宇宙', '微小世界', '物质的变化', '能量', '生物的多样性', '小小工程师',
  ],
  音乐: [
    '国旗国旗真美丽', '小兔子乖乖', '两只老虎', '粉刷匠', '小红帽', '采蘑菇的小姑娘', '让我们荡起双桨', '歌唱二小放牛郎',
    '龙的传人', '我和你', '茉莉花', '彩云追月', '春江花月夜', '黄河大合唱', '欢乐颂', '梁祝',
  ],
  美术: [
    '多彩的世界', '认识美术工具', '线条的魅力', '画家乡', '美丽的花', '纸的游戏', '剪纸', '色彩的明与暗', '民间玩具',
    '中国画', '书法', '设计校园标志', '水墨画', '青铜艺术', '版画', '建筑艺术',
  ],
  体育与健康: [
    '队列队形', '立定跳远', '跳绳', '50米快速跑', '投掷', '前滚翻', '广播体操', '篮球运球', '足球传球', '排球垫球',
    '武术', '耐久跑', '健康饮食', '保护视力', '安全运动',
  ],
};

/** Unit titles beyond "第N单元": some editions name their units. */
const UNIT_THEMES = [
  '', '', '', ' 自然之美', ' 成长的足迹', ' 家国情怀', ' 探索与发现', ' 观察与思考', ' 数与代数', ' 图形与几何',
] as const;
